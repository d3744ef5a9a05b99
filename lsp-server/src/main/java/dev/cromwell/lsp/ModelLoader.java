package dev.cromwell.lsp;

import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.eclipse.lsp4j.MessageType;

/**
 * Loads the configured model in the background with progress, and swaps it into the runtime on the
 * model thread (never under a running generation).
 */
final class ModelLoader implements AutoCloseable {
  /**
   * Within a load, whether a newer configuration (or shutdown) superseded it. A scoped value rather
   * than a factory parameter, so that what a load calls (the warm-up, a test's factory) can stop
   * early without every completer factory's signature carrying it.
   */
  private static final ScopedValue<BooleanSupplier> SUPERSEDED = ScopedValue.newInstance();

  private final ModelRuntime runtime;
  private final Function<ServerConfig, Completer> factory;
  private final Function<String, Progress> progress;
  private final BiConsumer<MessageType, String> messages;
  private final ModelDownloads downloads;
  // Where a model goes when this server is done with it (closed, or back to the daemon's cache),
  // and whether a loaded one came from that cache rather than from its file.
  private final Consumer<Completer> release;
  private final Predicate<Completer> reused;
  private volatile String state = "none";
  private volatile String source;
  private volatile long loadMillis = -1;
  private volatile Completer current;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicLong generation =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.ExecutorService loads =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "cromwell-model-loader");
            t.setDaemon(true);
            return t;
          });

  ModelLoader(
      ModelRuntime runtime,
      Function<ServerConfig, Completer> factory,
      Function<String, Progress> progress,
      BiConsumer<MessageType, String> messages,
      ModelDownloads downloads) {
    this(runtime, factory, ModelLoader::closeQuietly, c -> false, progress, messages, downloads);
  }

  ModelLoader(
      ModelRuntime runtime,
      Function<ServerConfig, Completer> factory,
      Consumer<Completer> release,
      Predicate<Completer> reused,
      Function<String, Progress> progress,
      BiConsumer<MessageType, String> messages,
      ModelDownloads downloads) {
    this.release = release;
    this.reused = reused;
    this.runtime = runtime;
    this.factory = factory;
    this.progress = progress;
    this.messages = messages;
    this.downloads = downloads;
  }

  String state() {
    return state;
  }

  /**
   * Where the installed model came from ("file", or "cache": the daemon's warm model), or null
   * before one is ready.
   */
  String source() {
    return source;
  }

  /** How long the last installed model took to load and warm up (ms), or -1 before one. */
  long loadMillis() {
    return loadMillis;
  }

  /**
   * Whether the model load running on this thread is no longer wanted, as a check that may be
   * handed to other threads (a generation's cancel flag): long steps of a load poll it and return
   * early, and what they return is then closed, not installed. Never true outside a load.
   */
  static BooleanSupplier supersededCheck() {
    return SUPERSEDED.orElse(() -> false);
  }

  /**
   * Loads {@code config}'s model in the background. Reloads are coalesced: loads run one at a time
   * on one thread, a load that a newer one superseded before it started is skipped, and one
   * superseded while it runs stops at its next {@link #supersededCheck()} poll (the warm-up polls
   * it) and is closed instead of installed, so the last configuration wins promptly. The current
   * model is unloaded before the next is read, so two models are never resident.
   */
  void load(ServerConfig config) {
    long ticket = generation.incrementAndGet();
    var missing = downloads.missing(config);
    if (missing.isPresent()) {
      // A catalogue model (the default when none is set) that is not pulled yet: offer it, and
      // load it once it is there, unless the settings moved on meanwhile.
      String name = missing.get().name();
      state = "none: " + name + " is not installed (cromwell pull " + name + ")";
      if (!config.offerDownloads()) {
        return; // the client asks the user itself; asking here too would ask twice
      }
      downloads
          .offer(missing.get())
          .thenAccept(
              installed -> {
                if (installed && ticket == generation.get() && !closed) {
                  load(config);
                }
              });
      return;
    }
    state = "loading";
    try {
      loads.execute(() -> loadNow(config, ticket));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the server is shutting down
    }
  }

  private void loadNow(ServerConfig config, long ticket) {
    if (ticket != generation.get() || closed) {
      return; // superseded before it started: only the newest configuration is loaded
    }
    Progress p = progress.apply("Cromwell: loading " + downloads.label(config));
    Completer loaded = null;
    try {
      runtime.onModelThread(() -> install(null)).join(); // never two models resident
      BooleanSupplier stale = () -> ticket != generation.get() || closed;
      long start = System.nanoTime();
      loaded = ScopedValue.where(SUPERSEDED, stale).call(() -> factory.apply(config));
      if (ticket != generation.get() || closed) {
        p.end("superseded by a newer configuration");
        return;
      }
      Completer ready = loaded;
      long took = (System.nanoTime() - start) / 1_000_000;
      runtime.onModelThread(() -> install(ready)).join();
      loaded = null;
      loadMillis = took;
      source = reused.test(ready) ? "cache" : "file";
      state = "ready";
      p.end("model ready");
    } catch (RuntimeException e) {
      String why =
          e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause().getMessage()
              : e.getMessage();
      if (ticket == generation.get() && !closed) {
        state = "failed: " + why;
        messages.accept(MessageType.Error, "Cromwell could not load the model: " + why);
      }
      p.end("model failed to load");
    } finally {
      if (loaded != null) {
        letGo(loaded); // a load that lost the race (or could not be installed)
      }
    }
  }

  /**
   * On the model thread, after a request found the model's file changed under it: the model is
   * closed, status says failed, and the user is told (completions answer nothing until a reload).
   */
  void failed(String why) {
    if (current == null) {
      return;
    }
    install(null);
    state = "failed: " + why;
    messages.accept(MessageType.Error, "Cromwell: " + why);
  }

  /** On the model thread: swaps in {@code next} (or nothing) and closes the previous model. */
  private void install(Completer next) {
    Completer old = current;
    current = next;
    runtime.setCompleter(next);
    if (old != null) {
      source = null;
      letGo(old);
    }
  }

  /**
   * Hands {@code c} to the release hook (the daemon's cache keeps it for the next session), unless
   * a pass may still read it ({@link ModelRuntime#mayStillRead}): then it is closed, which waits
   * for that pass, so no other session can decode on it meanwhile.
   */
  private void letGo(Completer c) {
    if (runtime.mayStillRead(c)) {
      closeQuietly(c);
    } else {
      release.accept(c);
    }
  }

  /** Closes {@code c}'s model (or {@code c} itself); nothing for null. */
  static void closeQuietly(Completer c) {
    if (c instanceof ModelCompleter m) {
      m.model().close();
    } else if (c instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // a completer without native memory: nothing is left behind
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    generation.incrementAndGet();
    loads.shutdown();
    try {
      // A load in progress finishes (and closes what it loaded) before the current model goes.
      loads.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Completer last = current;
    current = null;
    if (last != null) {
      letGo(last);
    }
  }
}
