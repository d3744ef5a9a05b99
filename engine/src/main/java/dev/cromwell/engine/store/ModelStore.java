package dev.cromwell.engine.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The model store: {@code $CROMWELL_HOME/models/NAME.gguf}, with {@code CROMWELL_HOME} defaulting
 * to {@code $XDG_CACHE_HOME/cromwell} or {@code ~/.cache/cromwell}. It also turns what a user typed
 * for a model (a path, {@code ~/...}, or a catalogue name) into a file.
 */
public final class ModelStore {
  private final Path home;
  private final Catalog catalog;

  public ModelStore(Path home, Catalog catalog) {
    this.home = home;
    this.catalog = catalog;
  }

  /** The store of this user and environment, with the built-in catalogue. */
  public static ModelStore fromEnvironment() {
    return new ModelStore(home(System.getenv()), Catalog.builtIn());
  }

  /**
   * {@code CROMWELL_HOME}, else {@code XDG_CACHE_HOME/cromwell}, else {@code ~/.cache/cromwell}.
   */
  public static Path home(Map<String, String> env) {
    String explicit = env.get("CROMWELL_HOME");
    if (explicit != null && !explicit.isBlank()) {
      return expandHome(explicit);
    }
    String cache = env.get("XDG_CACHE_HOME");
    Path base =
        cache != null && !cache.isBlank()
            ? expandHome(cache)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("cromwell");
  }

  /** {@code ~} and {@code ~/x} relative to the user's home; anything else as it is. */
  public static Path expandHome(String path) {
    String p = path.trim();
    if (p.equals("~")) {
      return Path.of(System.getProperty("user.home"));
    }
    if (p.startsWith("~/")) {
      return Path.of(System.getProperty("user.home"), p.substring(2));
    }
    return Path.of(p);
  }

  public Catalog catalog() {
    return catalog;
  }

  public Path home() {
    return home;
  }

  /** The folder of installed models. */
  public Path models() {
    return home.resolve("models");
  }

  /** Where unfinished pulls keep their bytes until they are checked. */
  Path partial() {
    return models().resolve(".partial");
  }

  /** Where {@code entry} lives once installed. */
  public Path path(CatalogEntry entry) {
    return models().resolve(entry.fileName());
  }

  /**
   * Whether {@code entry} is installed: its file is there with the catalogue's size. Pulls only
   * ever rename a checked file into place, so the size is enough; the sha256 was checked then.
   */
  public boolean installed(CatalogEntry entry) {
    Path p = path(entry);
    try {
      return Files.isRegularFile(p) && Files.size(p) == entry.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The model file for what a user typed: a catalogue name resolves from the store (and must be
   * installed), anything else is a path ({@code ~} expanded). An existing file wins over a name.
   *
   * @throws ModelNotInstalledException for a catalogue name that is not pulled yet
   * @throws IllegalArgumentException for a bare word that is neither a file nor a catalogue name
   */
  public Path resolve(String model) {
    Path asPath = expandHome(model);
    if (Files.exists(asPath)) {
      return asPath;
    }
    var entry = catalog.find(model.trim());
    if (entry.isPresent()) {
      return installedPath(entry.get(), "model " + entry.get().name() + " is not installed");
    }
    if (!looksLikePath(model)) {
      throw new IllegalArgumentException(
          "\""
              + model
              + "\" is neither a file nor a catalogue model (known: "
              + String.join(", ", catalog.names())
              + "; see cromwell models)");
    }
    return asPath; // a missing file: opening it reports "file not found" with its path
  }

  /**
   * Whether what a user typed is meant as a file even where none exists (a separator or the {@code
   * .gguf} extension), not as a catalogue name.
   */
  public static boolean looksLikePath(String model) {
    return model.contains("/") || model.contains(java.io.File.separator) || model.endsWith(".gguf");
  }

  /** Like {@link #resolve}, but no model at all means the catalogue's default, if installed. */
  public Path resolveOrDefault(String model) {
    if (model != null && !model.isBlank()) {
      return resolve(model);
    }
    CatalogEntry d = catalog.defaultEntry();
    return installedPath(
        d, "no model given and the default model " + d.name() + " is not installed");
  }

  private Path installedPath(CatalogEntry entry, String problem) {
    if (installed(entry)) {
      return path(entry);
    }
    throw new ModelNotInstalledException(
        entry, problem + "; get it with: cromwell pull " + entry.name());
  }
}
