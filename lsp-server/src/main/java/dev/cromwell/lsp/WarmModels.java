package dev.cromwell.lsp;

import dev.cromwell.engine.store.ModelStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The daemon's models that outlive an editor session: when a session ends, its loaded and warmed
 * model is kept here instead of being closed, and the next session whose load would read the same
 * file in the same way takes it (milliseconds, where loading and warming take seconds). A model is
 * leased by one session at a time: a second session with the same settings while the first holds it
 * loads its own, as it would without the daemon. At most one model is kept idle (the last one
 * released; an older idle one is closed), so the daemon holds no more memory between sessions than
 * one editor did.
 */
public final class WarmModels implements AutoCloseable {
  /**
   * What a load depends on: the file as it is on disk (so that a replaced file is read again) and
   * the settings the engine is built with ({@link ServerConfig#needsReload}) plus the completer's.
   */
  record Key(
      Path file,
      long size,
      long modifiedMillis,
      int threads,
      Object loadMode,
      Object kvCache,
      long memoryBudgetBytes,
      boolean kvReuse) {
    /** {@code key}'s settings with {@code file} as it is now on disk. */
    static Key of(Path file, Key key) {
      Key now = of(file, ServerConfig.defaults());
      return new Key(
          now.file(),
          now.size(),
          now.modifiedMillis(),
          key.threads(),
          key.loadMode(),
          key.kvCache(),
          key.memoryBudgetBytes(),
          key.kvReuse());
    }

    static Key of(Path file, ServerConfig cfg) {
      long size = -1;
      long modified = -1;
      try {
        size = Files.size(file);
        modified = Files.getLastModifiedTime(file).toMillis();
      } catch (IOException e) {
        // the load itself reports the missing file
      }
      return new Key(
          file.toAbsolutePath().normalize(),
          size,
          modified,
          cfg.threads(),
          cfg.loadMode(),
          cfg.kvCache(),
          cfg.memoryBudgetBytes(),
          cfg.kvReuse());
    }
  }

  /**
   * {@code cfg} with a relative model path made absolute against {@code folder} (a session's
   * working folder), when it names a file there or looks like a path; a catalogue name, an absolute
   * or a {@code ~} path is left as it is.
   */
  public static ServerConfig inFolder(ServerConfig cfg, Path folder) {
    Path model = cfg.model();
    if (folder == null || model == null || model.isAbsolute()) {
      return cfg;
    }
    String spec = model.toString();
    if (spec.equals("~") || spec.startsWith("~/")) {
      return cfg;
    }
    Path inFolder = folder.resolve(model);
    if (!Files.exists(inFolder) && !ModelStore.looksLikePath(spec)) {
      return cfg; // a catalogue name
    }
    com.google.gson.JsonObject absolute = new com.google.gson.JsonObject();
    // Not normalized: "a/../m.gguf" is where the file system says (a may be a symbolic link).
    absolute.addProperty("model", inFolder.toAbsolutePath().toString());
    return cfg.apply(absolute).config();
  }

  private record Idle(Key key, Completer completer) {}

  private Idle idle;
  private boolean closed;
  // Completers handed out (by this cache or loaded for it), with the key they were made for.
  private final Map<Completer, Key> leased = new IdentityHashMap<>();
  private final Set<Completer> reused = Collections.newSetFromMap(new IdentityHashMap<>());

  /**
   * The idle model made for {@code key} if there is one (it is then leased to the caller), else
   * what {@code load} makes. An idle model for another key is closed first: two models resident at
   * once could exhaust the memory of a machine sized for one.
   */
  Completer lease(Key key, Supplier<Completer> load) {
    Completer other;
    synchronized (this) {
      if (idle != null && idle.key().equals(key)) {
        Completer c = idle.completer();
        idle = null;
        leased.put(c, key);
        reused.add(c);
        return c;
      }
      other = idle == null ? null : idle.completer();
      idle = null;
    }
    ModelLoader.closeQuietly(other);
    Completer loaded = load.get();
    synchronized (this) {
      leased.put(loaded, key);
    }
    return loaded;
  }

  /** Whether {@code c} was taken from the cache rather than loaded for this session. */
  synchronized boolean reused(Completer c) {
    return reused.contains(c);
  }

  /**
   * A session is done with {@code c}: it becomes the idle model (closing the one idle before), or
   * is closed when it was not leased here, its file changed on disk meanwhile, or the cache is
   * closed. Returns whether it was kept.
   */
  boolean release(Completer c) {
    Completer toClose;
    boolean kept;
    synchronized (this) {
      Key key = leased.remove(c);
      reused.remove(c);
      if (key == null || closed || !key.equals(Key.of(key.file(), key))) {
        toClose = c;
        kept = false;
      } else {
        toClose = idle == null ? null : idle.completer();
        idle = new Idle(key, c);
        kept = true;
      }
    }
    ModelLoader.closeQuietly(toClose);
    return kept;
  }

  /** Whether a model is idle here (for tests and the daemon's log). */
  public synchronized boolean holdsIdle() {
    return idle != null;
  }

  /** Closes the idle model; models still leased are closed when their sessions release them. */
  @Override
  public void close() {
    Completer toClose;
    synchronized (this) {
      closed = true;
      toClose = idle == null ? null : idle.completer();
      idle = null;
    }
    ModelLoader.closeQuietly(toClose);
  }
}
