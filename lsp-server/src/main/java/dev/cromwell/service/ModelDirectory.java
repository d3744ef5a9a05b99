package dev.cromwell.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The models a server can name: the loaded one, the GGUF files installed in the model store ({@code
 * $CROMWELL_HOME/models}, a model being {@code <name>.gguf}) and the catalogue's names, which
 * {@code ServeCommand} passes in from the store's catalogue.
 */
public final class ModelDirectory {
  /** One model; {@code path} is null when it is only in the catalogue. */
  public record Entry(String id, boolean loaded, boolean installed, Path path) {}

  private final Path store;
  private final String loadedId;
  private final Path loadedPath;
  private final List<String> catalogue;

  public ModelDirectory(Path store, String loadedId, Path loadedPath, List<String> catalogue) {
    this.store = store;
    this.loadedId = loadedId;
    this.loadedPath = loadedPath;
    this.catalogue = List.copyOf(catalogue);
  }

  /** A model's id: its file name without {@code .gguf}. */
  public static String idOf(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
  }

  public String loadedId() {
    return loadedId;
  }

  /** The loaded model first, then installed models by name, then the rest of the catalogue. */
  public List<Entry> list() {
    Map<String, Entry> entries = new LinkedHashMap<>();
    entries.put(loadedId, new Entry(loadedId, true, true, loadedPath));
    List<Path> installed = new ArrayList<>();
    if (Files.isDirectory(store)) {
      try (Stream<Path> files = Files.list(store)) {
        files
            .filter(p -> p.getFileName().toString().endsWith(".gguf") && Files.isRegularFile(p))
            .sorted()
            .forEach(installed::add);
      } catch (IOException e) {
        throw new UncheckedIOException(store + ": cannot list the model store", e);
      }
    }
    for (Path p : installed) {
      entries.putIfAbsent(idOf(p), new Entry(idOf(p), false, true, p));
    }
    for (String name : catalogue) {
      entries.putIfAbsent(name, new Entry(name, false, false, null));
    }
    return List.copyOf(entries.values());
  }
}
