package dev.cromwell.lsp;

import dev.cromwell.context.ContextBudget;
import dev.cromwell.context.PromptPlan;
import dev.cromwell.context.RelevanceWeights;
import dev.cromwell.context.TokenCounter;
import dev.cromwell.context.WorkspaceIndex;
import dev.cromwell.engine.generate.Cancellation;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The completion pipeline shared by inline completions and ordinary completion requests: debounce,
 * supersession and cancellation per document, the prompt plan from the workspace index, the model's
 * FIM format, stop rules and post-processing. Generation runs on one model thread; everything else
 * returns at once.
 */
public final class CompletionService implements AutoCloseable {
  private final ScheduledExecutorService debouncer =
      Executors.newSingleThreadScheduledExecutor(daemon("cromwell-debounce"));
  private final ExecutorService modelThread =
      Executors.newSingleThreadExecutor(daemon("cromwell-model"));
  private final Map<String, AtomicLong> latest = new ConcurrentHashMap<>();
  private final Map<String, Cancellation> running = new ConcurrentHashMap<>();
  private final CompletionStats stats = new CompletionStats();
  private volatile ServerConfig config;
  private volatile Completer completer;
  private volatile WorkspaceIndex index;
  private volatile ContextBudget budget;

  public CompletionService(ServerConfig config) {
    this.config = config;
  }

  public void setConfig(ServerConfig config) {
    this.config = config;
  }

  public ServerConfig config() {
    return config;
  }

  /** Installs (or removes, with null) the completer once a model is loaded. */
  public void setCompleter(Completer completer) {
    this.completer = completer;
    rebuildBudget();
  }

  public Completer completer() {
    return completer;
  }

  public void setIndex(WorkspaceIndex index) {
    this.index = index;
    rebuildBudget();
  }

  public WorkspaceIndex index() {
    return index;
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

  /**
   * A suggestion for the cursor at char {@code offset} of {@code document}, or empty when there is
   * nothing to suggest (no model yet, language disabled, superseded, cancelled, nothing useful).
   */
  public CompletableFuture<Optional<Suggestion>> complete(
      OpenDocument document, int offset, Cancellation cancellation) {
    long started = System.nanoTime();
    ServerConfig cfg = config;
    stats.requested();
    if (completer == null || cfg.disabledLanguages().contains(document.languageId())) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String key = document.uri();
    AtomicLong counter = latest.computeIfAbsent(key, k -> new AtomicLong());
    long id = counter.incrementAndGet();
    Cancellation previous = running.put(key, cancellation);
    if (previous != null) {
      previous.cancel(); // a newer request for the same document supersedes the older one
    }
    CompletableFuture<Optional<Suggestion>> result = new CompletableFuture<>();
    debouncer.schedule(
        () -> {
          if (!current(key, counter, id) || cancellation.isCancelled()) {
            stats.superseded();
            result.complete(Optional.empty());
            return;
          }
          modelThread.execute(
              () -> {
                try {
                  if (!current(key, counter, id) || cancellation.isCancelled()) {
                    stats.superseded();
                    result.complete(Optional.empty());
                    return;
                  }
                  result.complete(run(document, offset, cancellation, started));
                } catch (RuntimeException e) {
                  noticeFault(e);
                  result.completeExceptionally(e);
                } finally {
                  running.remove(key, cancellation);
                }
              });
        },
        cfg.debounceMillis(),
        TimeUnit.MILLISECONDS);
    return result;
  }

  /**
   * Whether request {@code id} is still the newest for its document. A request whose document was
   * closed meanwhile is not: its counter is gone from {@link #latest} (the soak found the lookup of
   * a removed counter throwing, which left the request unanswered or answered -32603).
   */
  private boolean current(String key, AtomicLong counter, long id) {
    return latest.get(key) == counter && counter.get() == id;
  }

  private Optional<Suggestion> run(
      OpenDocument document, int offset, Cancellation cancellation, long started) {
    Completer c = completer;
    ServerConfig cfg = config;
    if (c == null) {
      return Optional.empty();
    }
    PromptAssembler.Cursor cursor = PromptAssembler.Cursor.of(document.text(), offset);
    ContextBudget b = budget;
    PromptPlan plan =
        b != null && document.path() != null && index.file(document.path()).isPresent()
            ? b.planCompletion(document.path(), cursor.line(), cursor.column(), cfg.contextBudget())
            : null;
    PromptAssembler.Prompt prompt =
        PromptAssembler.assemble(document, cursor, plan, cfg.contextBudget(), c.format());
    CompletionContext context = prompt.context();
    Completer.Output out =
        c.complete(
            document.uri(),
            prompt.parts(),
            CompletionStops.forContext(context),
            context.multiLine() ? cfg.maxTokens() : Math.min(cfg.maxTokens(), 48),
            cfg.timeLimitMillis() * 1_000_000L,
            cancellation);
    long millis = (System.nanoTime() - started) / 1_000_000;
    stats.ran(out, cancellation.isCancelled(), millis);
    if (cancellation.isCancelled()) {
      return Optional.empty();
    }
    return PostProcessor.process(out.text(), context);
  }

  /** The editor reported that a suggestion was accepted. */
  public void accepted() {
    stats.accepted();
  }

  public void documentClosed(String uri) {
    Completer c = completer;
    if (c != null) {
      modelThread.execute(() -> c.forget(uri));
    }
    latest.remove(uri);
    Cancellation inFlight = running.remove(uri);
    if (inFlight != null) {
      inFlight.cancel(); // nobody will read a suggestion for a closed document
    }
  }

  CompletionStats.Snapshot stats() {
    return stats.snapshot();
  }

  /** Computes {@code task} on the model thread, after any running completion. */
  public <T> CompletableFuture<T> onModelThread(java.util.function.Supplier<T> task) {
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
   * Who hears (on the model thread) that the model's file changed under it: the request that met it
   * fails on its own, and the model must be taken out of service.
   */
  public void onModelFault(java.util.function.Consumer<String> listener) {
    this.faults = listener;
  }

  private volatile java.util.function.Consumer<String> faults = why -> {};

  private void noticeFault(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof dev.cromwell.engine.model.ModelFileChangedException changed) {
        faults.accept(changed.getMessage());
        return;
      }
    }
  }

  /** Runs {@code task} on the model thread (model swaps must not overlap a generation). */
  public CompletableFuture<Void> onModelThread(Runnable task) {
    return CompletableFuture.runAsync(task, modelThread);
  }

  @Override
  public void close() {
    running.values().forEach(Cancellation::cancel);
    debouncer.shutdownNow();
    modelThread.shutdown();
    try {
      modelThread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
