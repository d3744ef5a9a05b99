package dev.cromwell.lsp;

import com.google.gson.JsonElement;
import dev.cromwell.context.ContextBudget;
import dev.cromwell.context.IndexOptions;
import dev.cromwell.context.IndexProgress;
import dev.cromwell.context.RelevanceWeights;
import dev.cromwell.context.TokenCounter;
import dev.cromwell.context.WorkspaceIndex;
import dev.cromwell.engine.model.ModelFileChangedException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the server serves with: the loaded model (a {@link Completer}), the one model thread that
 * every use of it runs on, the settings, and the workspace index with its token budget. Settings
 * decide here whether the model is loaded again; {@link ModelLoader} coalesces those loads so the
 * last configuration wins. Where an LSP completion runs on the model is {@link CompletionLane}.
 */
public final class ModelRuntime implements AutoCloseable {
  private final ExecutorService modelThread =
      Executors.newSingleThreadExecutor(Daemons.named("cromwell-model"));
  private final ModelLoader loader;
  private final CompletionLane lane = new CompletionLane(this, modelThread);
  private volatile ServerConfig config;
  private volatile Completer completer;
  private volatile WorkspaceIndex index;
  private volatile ContextBudget budget;
  private volatile boolean started;

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

  /** The loaded model, or null until one is ready. */
  Completer completer() {
    return completer;
  }

  /** On the model thread (from {@link ModelLoader}): installs {@code next}, or nothing. */
  void setCompleter(Completer next) {
    this.completer = next;
    rebuildBudget();
  }

  CompletionLane lane() {
    return lane;
  }

  /** Computes {@code task} on the model thread, after any running completion. */
  <T> CompletableFuture<T> onModelThread(Supplier<T> task) {
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

  /** Runs {@code task} on the model thread (model swaps must not overlap a generation). */
  CompletableFuture<Void> onModelThread(Runnable task) {
    return CompletableFuture.runAsync(task, modelThread);
  }

  /**
   * On the model thread, after a use of the model failed: when the model's file changed under it,
   * the model is taken out of service (the request that met it fails on its own).
   */
  void noticeFault(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ModelFileChangedException changed) {
        loader.failed(changed.getMessage());
        return;
      }
    }
  }

  /** The model forgets a closed document's cached state. */
  void forget(String uri) {
    Completer c = completer;
    if (c != null) {
      modelThread.execute(() -> c.forget(uri));
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
    i.indexInBackground(progress);
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
    WorkspaceIndex i = index;
    if (i != null && doc.path() != null) {
      i.recordVisit(doc.path());
    }
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
    TokenCounter counter =
        c == null
            ? TokenCounter.approximate()
            : new TokenCounter() {
              @Override
              public int count(String text) {
                return c.countTokens(text);
              }

              @Override
              public String description() {
                return "model tokenizer";
              }
            };
    budget = new ContextBudget(i, counter, RelevanceWeights.defaults());
  }

  /** Lets a running generation finish (up to 5 s), then closes the model and any load. */
  @Override
  public void close() {
    modelThread.shutdown();
    try {
      modelThread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loader.close();
  }
}
