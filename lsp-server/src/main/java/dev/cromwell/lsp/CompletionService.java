package dev.cromwell.lsp;

import dev.cromwell.engine.generate.Cancellation;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When completion requests run, shared by inline completions and ordinary completion requests:
 * debounce, supersession and cancellation per document. A request that is still the newest for its
 * document after the debounce goes to the runtime's {@link CompletionLane}; everything here returns
 * at once, and nothing here makes one document wait for another.
 */
public final class CompletionService implements AutoCloseable {
  private final ScheduledExecutorService debouncer =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("cromwell-debounce"));
  private final Map<String, AtomicLong> latest = new ConcurrentHashMap<>();
  private final Map<String, Cancellation> running = new ConcurrentHashMap<>();
  // Requests handed to the lane and not yet answered, by document: the model is idle when none of
  // another document's is still wanted.
  private final Map<String, Cancellation> inModel = new ConcurrentHashMap<>();
  // Documents that have had a suggestion since they were opened: a document's first one may
  // finish its line past the time limit (DeadlineStop), later ones may not.
  private final Set<String> answered = ConcurrentHashMap.newKeySet();
  private final CompletionStats stats = new CompletionStats();
  private final TypedAhead typedAhead = new TypedAhead();
  private final ModelRuntime runtime;

  public CompletionService(ModelRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * A suggestion for the cursor at char {@code offset} of {@code document}, or empty when there is
   * nothing to suggest (no model yet, language disabled, superseded, cancelled, nothing useful).
   */
  public CompletableFuture<Optional<Suggestion>> complete(
      OpenDocument document, int offset, Cancellation cancellation) {
    long started = System.nanoTime();
    ServerConfig cfg = runtime.config();
    stats.requested();
    if (runtime.completer() == null || cfg.disabledLanguages().contains(document.languageId())) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String key = document.uri();
    AtomicLong counter = latest.computeIfAbsent(key, k -> new AtomicLong());
    long id = counter.incrementAndGet();
    Optional<Suggestion> ahead = typedAhead.answer(document, offset);
    Cancellation previous =
        ahead.isPresent() ? running.remove(key) : running.put(key, cancellation);
    if (previous != null) {
      previous.cancel(); // a newer request for the same document supersedes the older one
    }
    if (ahead.isPresent()) {
      stats.typedAhead();
      return CompletableFuture.completedFuture(ahead);
    }
    CompletableFuture<Optional<Suggestion>> result = new CompletableFuture<>();
    int debounce = modelIdle(key) ? idleDebounce(cfg) : cfg.debounceMillis();
    debouncer.schedule(
        () -> {
          if (!current(key, counter, id) || cancellation.isCancelled()) {
            stats.superseded();
            result.complete(Optional.empty());
            return;
          }
          CompletionLane.Job job =
              new CompletionLane.Job(
                  document,
                  offset,
                  cancellation,
                  () -> current(key, counter, id),
                  started,
                  System.nanoTime(),
                  !answered.contains(key));
          try {
            inModel.put(key, cancellation);
            runtime
                .lane()
                .submit(job)
                .whenComplete(
                    (outcome, e) -> {
                      inModel.remove(key, cancellation);
                      running.remove(key, cancellation);
                      if (e != null) {
                        result.completeExceptionally(
                            e instanceof CompletionException && e.getCause() != null
                                ? e.getCause()
                                : e);
                      } else {
                        Optional<Suggestion> answer = count(outcome, started);
                        answer.ifPresent(a -> typedAhead.shown(document, offset, a));
                        if (answer.isPresent()) {
                          answered.add(key);
                        }
                        result.complete(answer);
                      }
                    });
          } catch (RejectedExecutionException e) {
            inModel.remove(key, cancellation);
            result.complete(Optional.empty()); // the server is shutting down
          }
        },
        debounce,
        TimeUnit.MILLISECONDS);
    return result;
  }

  /**
   * Whether no other document's request is running on the model: this document's own earlier one
   * was just cancelled by the newer keystroke and stops at its next token.
   */
  private boolean modelIdle(String key) {
    for (Map.Entry<String, Cancellation> e : inModel.entrySet()) {
      if (!e.getKey().equals(key) && !e.getValue().isCancelled()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The debounce while the model is idle: a quarter of the configured one. The wait is there so
   * that fast typing does not run the model at every key; while it has nothing else to do, a
   * request that a newer keystroke supersedes costs only a few tokens (the typed line's, with the
   * rest of the prompt cached) before its cancellation stops it, and a pause is answered sooner.
   */
  static int idleDebounce(ServerConfig cfg) {
    return cfg.debounceMillis() / 4;
  }

  /** Records what became of a request in the statistics, before its answer goes out. */
  private Optional<Suggestion> count(CompletionLane.Outcome outcome, long started) {
    return switch (outcome) {
      case CompletionLane.Outcome.Superseded s -> {
        stats.superseded();
        yield Optional.empty();
      }
      case CompletionLane.Outcome.NoModel n -> Optional.empty();
      case CompletionLane.Outcome.Ran ran -> {
        stats.ran(ran.output(), ran.cancelled(), (System.nanoTime() - started) / 1_000_000);
        yield ran.suggestion();
      }
    };
  }

  /**
   * Whether request {@code id} is still the newest for its document. A request whose document was
   * closed meanwhile is not: its counter is gone from {@link #latest} (the soak found the lookup of
   * a removed counter throwing, which left the request unanswered or answered -32603).
   */
  private boolean current(String key, AtomicLong counter, long id) {
    return latest.get(key) == counter && counter.get() == id;
  }

  /** The editor reported that a suggestion was accepted. */
  public void accepted() {
    stats.accepted();
  }

  public void documentClosed(String uri) {
    runtime.closed(uri);
    typedAhead.forget(uri);
    latest.remove(uri);
    answered.remove(uri);
    inModel.remove(uri);
    Cancellation inFlight = running.remove(uri);
    if (inFlight != null) {
      inFlight.cancel(); // nobody will read a suggestion for a closed document
    }
  }

  CompletionStats.Snapshot stats() {
    return stats.snapshot();
  }

  @Override
  public void close() {
    running.values().forEach(Cancellation::cancel);
    // Not shutdownNow: the debouncer's thread may be writing an answer to the client (a future
    // completed on it sends the response), and interrupting a write to the channel closes the
    // channel, so the shutdown answer could never be sent. The waiting tasks see their
    // cancellation and answer empty at once.
    debouncer.shutdown();
  }
}
