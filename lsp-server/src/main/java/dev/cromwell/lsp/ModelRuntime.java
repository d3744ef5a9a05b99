package dev.cromwell.lsp;

import com.google.gson.JsonElement;
import dev.cromwell.context.ContextBudget;
import dev.cromwell.context.IndexOptions;
import dev.cromwell.context.IndexProgress;
import dev.cromwell.context.RelevanceWeights;
import dev.cromwell.context.TokenCounter;
import dev.cromwell.context.WorkspaceIndex;
import dev.cromwell.engine.model.ModelFileChangedException;
import dev.cromwell.service.BatchingScheduler;
import dev.cromwell.service.GenerationQueue;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the server serves with: the loaded model (a {@link Completer}) with the {@link
 * BatchingScheduler} whose thread is the one thread that runs passes on it, the settings, and the
 * workspace index with its token budget. Completions of a loaded model are the scheduler's jobs
 * (several documents decode together); an edit is the scheduler's parted work, a pass at a time
 * between decode steps, so completions go on during it. Model swaps are ordered on a dispatch
 * thread, which closes the old scheduler before the old model is closed. Settings decide here
 * whether the model is loaded again; {@link ModelLoader} coalesces those loads so the last
 * configuration wins. Where an LSP completion is prepared and handed to the model is {@link
 * CompletionLane}.
 */
public final class ModelRuntime implements AutoCloseable {
  /** Completions of one model decoding together at most (the HTTP service's default too). */
  static final int BATCH = dev.cromwell.service.GenerationService.DEFAULT_BATCH;

  // Models whose batched step a scheduler of this process warmed (weakly held: closed ones go).
  private static final java.util.Set<dev.cromwell.engine.model.Model> BATCH_WARMED =
      java.util.Collections.newSetFromMap(
          java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>()));

  // Orders swaps and tasks on the model; what uses a loaded model runs on its scheduler's thread.
  // Models let go while a pass could still read them (see mayStillRead).
  private final java.util.Set<dev.cromwell.engine.model.Model> stillRead =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final ExecutorService modelThread =
      Executors.newSingleThreadExecutor(Daemons.named("cromwell-model-dispatch"));
  private final ModelLoader loader;
  private final CompletionLane lane = new CompletionLane(this);
  private volatile BatchingScheduler scheduler;
  private volatile ServerConfig config;
  private volatile Completer completer;
  private volatile WorkspaceIndex index;
  private volatile ContextBudget budget;
  private volatile boolean started;
  // Set when the server shuts down: a running edit stops at its next token instead of holding
  // the exit for up to 5 s (an editor that quits mid-edit has nobody to answer).
  private volatile boolean closing;
  private final PlanAhead planAhead =
      new PlanAhead(() -> budget, () -> index, () -> config.contextBudget());

  /** A runtime with {@code config}, whose models {@code loader} (given the runtime) loads. */
  ModelRuntime(ServerConfig config, Function<ModelRuntime, ModelLoader> loader) {
    this.config = config;
    this.loader = loader.apply(this);
  }

  /**
   * A runtime serving {@code completer}, which the caller loaded and closes ({@code cromwell
   * complete}); settings never load another.
   */
  public static ModelRuntime serving(ServerConfig config, Completer completer) {
    ModelRuntime runtime =
        new ModelRuntime(
            config,
            rt ->
                new ModelLoader(
                    rt,
                    cfg -> completer,
                    title -> Progress.start(null, false, title),
                    (type, text) -> {},
                    ModelDownloads.fromEnvironment()));
    runtime.setCompleter(completer);
    return runtime;
  }

  ServerConfig config() {
    return config;
  }

  /**
   * Reads {@code json} on top of the current settings and installs the result; once started, a
   * change to what the engine is built with loads the model again. The update's problems and
   * ignored keys are for the caller to show.
   */
  ServerConfig.Update applySettings(JsonElement json) {
    ServerConfig before = config;
    ServerConfig.Update update = before.apply(json);
    config = update.config();
    if (started && before.needsReload(update.config())) {
      loader.load(update.config());
    }
    return update;
  }

  /** Loads the configured model in the background; later settings changes reload it. */
  void start() {
    started = true;
    loader.load(config);
  }

  /** "none", "loading", "ready" or "failed: why", for status. */
  String modelState() {
    return loader.state();
  }

  /** Where the loaded model came from ("file" or "cache"), or null until one is ready. */
  String modelSource() {
    return loader.source();
  }

  /** How long the loaded model took to load (or to take from the cache) and warm up, or -1. */
  long modelLoadMillis() {
    return loader.loadMillis();
  }

  /** The loaded model, or null until one is ready. */
  Completer completer() {
    return completer;
  }

  /**
   * On the dispatch thread (from {@link ModelLoader}): installs {@code next}, or nothing. The
   * previous model's scheduler stops first (its completions are cancelled), so the caller may then
   * close that model; a model completer gets a scheduler of its own.
   */
  void setCompleter(Completer next) {
    BatchingScheduler old = scheduler;
    scheduler = null;
    if (old != null) {
      old.close();
      if (!old.ended() && completer instanceof ModelCompleter m) {
        stillRead.add(m.model());
      }
    }
    if (next instanceof ModelCompleter m) {
      // Room for every open document's request; CompletionService keeps one per document.
      GenerationQueue queue = new GenerationQueue(256);
      // A model back from the daemon's cache had its batched kernels warmed by its first
      // scheduler; warming them again would delay this session's ready by seconds on a busy CPU.
      boolean warmUp = BATCH_WARMED.add(m.model());
      scheduler = new BatchingScheduler(m.model(), queue, BATCH, 0, warmUp);
      m.decodeThrough(queue, scheduler);
    }
    this.completer = next;
    rebuildBudget();
  }

  /** The loaded model's scheduler, or null (for status). */
  BatchingScheduler scheduler() {
    return scheduler;
  }

  CompletionLane lane() {
    return lane;
  }

  /**
   * Computes {@code task}, an edit, on the dispatch thread: in order with swaps (the model stays
   * while it runs) and with other edits. Its passes on the model run on the scheduler's thread a
   * pass at a time between decode steps (the completer's {@link Completer#editModel}), so
   * completions of other documents go on meanwhile.
   */
  <T> CompletableFuture<T> inOrderWithSwaps(Supplier<T> task) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return task.get();
          } catch (RuntimeException e) {
            noticeFault(e);
            throw e;
          }
        },
        modelThread);
  }

  /**
   * Runs {@code task} on the dispatch thread, where swaps happen: it may close the scheduler and
   * the model (no task or swap runs meanwhile).
   */
  CompletableFuture<Void> onModelThread(Runnable task) {
    return CompletableFuture.runAsync(task, modelThread);
  }

  /**
   * After a use of the model failed: when the model's file changed under it, the model is taken out
   * of service on the dispatch thread (the request that met it fails on its own).
   */
  void noticeFault(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ModelFileChangedException changed) {
        try {
          modelThread.execute(() -> loader.failed(changed.getMessage()));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
          // the server is shutting down: the model goes anyway
        }
        return;
      }
    }
  }

  /**
   * A document was closed: the model keeps its cached state aside for a reopening, while memory
   * allows ({@link Completer#closed}).
   */
  void closed(String uri) {
    Completer c = completer;
    if (c != null) {
      c.closed(uri); // a map move; a job still decoding keeps its session to the end
      c.closed(CompletionLane.nearKey(uri));
    }
  }

  /** Indexes {@code roots} in the background, reporting to {@code progress}. */
  void startIndexing(List<Path> roots, IndexProgress progress) {
    if (roots.isEmpty()) {
      return;
    }
    WorkspaceIndex i = new WorkspaceIndex(roots, IndexOptions.defaults());
    this.index = i;
    rebuildBudget();
    i.indexInBackground(progress).thenRun(planAhead::indexed);
  }

  /** The workspace index, or null without workspace folders. */
  WorkspaceIndex index() {
    return index;
  }

  /** The prompt budget over the index, or null without one. */
  ContextBudget budget() {
    return budget;
  }

  /** The editor opened {@code doc}: its text is indexed, and recently opened files rank higher. */
  void documentOpened(OpenDocument doc) {
    documentChanged(doc);
    if (doc.path() == null) {
      return;
    }
    WorkspaceIndex i = index;
    if (i != null) {
      i.recordVisit(doc.path());
    }
    // Also before there is an index (workspace folders that come later): the index's build plans
    // every document open by then.
    planAhead.opened(doc.path());
  }

  /** Where the open documents' plans are made ahead of their first request. */
  PlanAhead planAhead() {
    return planAhead;
  }

  /** The index sees the editor's text of {@code doc} instead of the file's. */
  void documentChanged(OpenDocument doc) {
    WorkspaceIndex i = index;
    if (i != null && doc.path() != null && i.rootOf(doc.path()).isPresent()) {
      i.openDocument(doc.path(), doc.text().text());
    }
  }

  /** The index reads {@code doc}'s file again. */
  void documentClosed(OpenDocument doc) {
    if (doc.path() != null) {
      planAhead.closed(doc.path());
    }
    WorkspaceIndex i = index;
    if (i != null && doc.path() != null && i.rootOf(doc.path()).isPresent()) {
      i.closeDocument(doc.path());
    }
  }

  /** A watched file changed or was deleted on disk. */
  void fileChanged(Path file, boolean deleted) {
    WorkspaceIndex i = index;
    if (i == null) {
      return;
    }
    if (deleted) {
      i.fileDeleted(file);
    } else {
      i.fileChanged(file);
    }
  }

  private void rebuildBudget() {
    WorkspaceIndex i = index;
    Completer c = completer;
    if (i == null) {
      budget = null;
      return;
    }
    TokenCounter counter = c == null ? TokenCounter.approximate() : counterOf(c);
    budget = new ContextBudget(i, counter, RelevanceWeights.defaults());
    if (c != null) {
      planAhead.again(); // token counts are cached per counter: the model's are counted now
    }
  }

  /** Counts prompt tokens with {@code c}'s own tokenizer. */
  static TokenCounter counterOf(Completer c) {
    return new TokenCounter() {
      @Override
      public int count(String text) {
        return c.countTokens(text);
      }

      @Override
      public String description() {
        return "model tokenizer";
      }
    };
  }

  /** Whether {@link #close} has begun: edits still running should stop. */
  boolean closing() {
    return closing;
  }

  /**
   * Cancels a running edit (see {@link #closing}) and lets it or a running swap end (up to 5 s),
   * stops the scheduler (cancelling its completions), then closes the model and any load.
   */
  @Override
  public void close() {
    closing = true;
    planAhead.close();
    modelThread.shutdown();
    boolean dispatchEnded = false;
    try {
      dispatchEnded = modelThread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    BatchingScheduler s = scheduler;
    scheduler = null;
    if (s != null) {
      s.close();
    }
    if ((!dispatchEnded || (s != null && !s.ended())) && completer instanceof ModelCompleter m) {
      stillRead.add(m.model());
    }
    loader.close();
  }

  /**
   * Whether a pass may still read {@code c}'s model: its scheduler (or the dispatch thread) had not
   * ended when it was let go, for example in a long pass. Such a model is closed (which waits for
   * the pass), never handed on to another session through the daemon's cache.
   */
  boolean mayStillRead(Completer c) {
    return c instanceof ModelCompleter m && stillRead.contains(m.model());
  }
}
