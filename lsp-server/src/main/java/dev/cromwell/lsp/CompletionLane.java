package dev.cromwell.lsp;

import dev.cromwell.context.ContextBudget;
import dev.cromwell.context.Language;
import dev.cromwell.context.PromptPlan;
import dev.cromwell.context.WorkspaceIndex;
import dev.cromwell.engine.generate.Cancellation;
import dev.cromwell.engine.generate.GenerationRequest.TextStop;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * Where an LSP completion is prepared and handed to the model: the index's plan, the prompt, the
 * generation and post-processing of one request. Each request runs on a virtual thread of its own;
 * only its generation reaches the model, as a job of the runtime's {@link
 * dev.cromwell.service.BatchingScheduler} ({@link ModelCompleter} submits it), so completions for
 * different documents decode together, a token at a time, instead of waiting for each other's whole
 * generation. {@link CompletionService} debounces each document on its own and hands over at once.
 */
final class CompletionLane {
  private final ModelRuntime runtime;
  // Prompt assembly and waiting for the scheduler; no model pass runs on these threads.
  private final Executor requests = Executors.newVirtualThreadPerTaskExecutor();
  // Jobs submitted so far: computing a whole prompt in the background gives way to any newer job.
  private final java.util.concurrent.atomic.AtomicLong submitted =
      new java.util.concurrent.atomic.AtomicLong();

  CompletionLane(ModelRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * A request for the cursor at char {@code offset} of {@code document}.
   *
   * @param wanted whether it is still worth running (no newer request for the document came)
   * @param arrived when the request came ({@link System#nanoTime()}, for {@link CompletionTiming})
   * @param fired when its debounce ended
   */
  record Job(
      OpenDocument document,
      int offset,
      Cancellation cancellation,
      BooleanSupplier wanted,
      long arrived,
      long fired,
      boolean firstOfDocument) {}

  /** What became of a job. */
  sealed interface Outcome {
    /** Dropped unrun: superseded or cancelled while it waited. */
    record Superseded() implements Outcome {}

    /** No model was loaded when its turn came. */
    record NoModel() implements Outcome {}

    /** The model ran it (to its end, or until it was cancelled). */
    record Ran(Completer.Output output, boolean cancelled, Optional<Suggestion> suggestion)
        implements Outcome {}
  }

  /**
   * Runs {@code job} at once, off the caller's thread. When it was answered from the lines around
   * the cursor because the whole prompt would not have been computed in time, the whole prompt is
   * computed afterwards, while the user reads, until a newer request for the document comes.
   */
  CompletableFuture<Outcome> submit(Job job) {
    submitted.incrementAndGet();
    CompletableFuture<Prepared> ran =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return run(job);
              } catch (RuntimeException e) {
                runtime.noticeFault(e);
                throw e;
              }
            },
            requests);
    ran.thenAcceptAsync(
        p -> {
          if (p.deferred() != null) {
            prime(p.deferred(), job);
          }
        },
        requests);
    return ran.thenApply(Prepared::outcome);
  }

  /** The key of a document's second session, the one for prompts of the lines around the cursor. */
  static String nearKey(String uri) {
    return uri + "#near";
  }

  /** What a job came to, and the whole prompt still to compute for its document (or null). */
  record Prepared(Outcome outcome, PromptAssembler.Prompt deferred) {}

  private Prepared run(Job job) {
    if (!job.wanted().getAsBoolean() || job.cancellation().isCancelled()) {
      return new Prepared(new Outcome.Superseded(), null);
    }
    long started = System.nanoTime();
    Completer c = runtime.completer();
    if (c == null) {
      return new Prepared(new Outcome.NoModel(), null);
    }
    return answer(job, c, runtime.config(), runtime.budget(), runtime.index(), started);
  }

  /**
   * One request's whole path: plan, prompt, generation, post-processing. The model's warm-up runs a
   * synthetic request through it too ({@link CompletionRehearsal}), so that a user's first request
   * finds this code loaded and partly compiled.
   *
   * @param budget the prompt budget over {@code index}, or null (neither is then consulted)
   * @param started when the job's thread began (for {@link CompletionTiming})
   */
  static Prepared answer(
      Job job,
      Completer c,
      ServerConfig cfg,
      ContextBudget budget,
      WorkspaceIndex index,
      long started) {
    OpenDocument document = job.document();
    PromptAssembler.Cursor cursor = PromptAssembler.Cursor.of(document.text(), job.offset());
    PromptPlan plan =
        budget != null
                && index != null
                && document.path() != null
                && index.file(document.path()).isPresent()
            ? budget.planCompletion(
                document.path(), cursor.line(), cursor.column(), cfg.contextBudget())
            : null;
    long planned = System.nanoTime();
    PromptAssembler.Prompt whole =
        PromptAssembler.assemble(document, cursor, plan, cfg.contextBudget(), c.format());
    // A prompt whose uncached part would not be computed in about half the time limit (a document
    // just opened, or context that changed) would leave nothing, or a word, when the limit comes.
    // Then the suggestion comes from the lines around the cursor, in a session of their own, and
    // the whole prompt is computed after the answer.
    long assembled = System.nanoTime();
    int affordable = affordableTokens(c, cfg);
    String key = document.uri();
    PromptAssembler.Prompt prompt = whole;
    PromptAssembler.Prompt deferred = null;
    if (affordable < cfg.contextBudget() && c.uncachedTokens(key, whole.parts()) > affordable) {
      prompt = PromptAssembler.assemble(document, cursor, null, affordable, c.format());
      key = nearKey(key);
      deferred = whole;
    }
    long checked = System.nanoTime();
    CompletionContext context = prompt.context();
    // At an indentation-only line the prompt left the typed indentation out: the model writes it
    // again (or its own), and the suggestion goes on after what the user typed.
    String typed = TypedIndent.of(context);
    TextStop stop =
        CompletionStops.forContext(context, Language.ofLanguageId(document.languageId()));
    // The time limit counts from the request's arrival: by then the suggestion ends at a whole
    // line or a word's end (DeadlineStop); the engine's own limit only ends text that has neither.
    // Its tokens get at least half the limit after the first, so a cold prompt that took the
    // limit still leaves a suggestion longer than one word.
    long limit = cfg.timeLimitMillis() * 1_000_000L;
    DeadlineStop deadline =
        new DeadlineStop(
            typed.isEmpty() ? stop : TypedIndent.stop(stop, typed),
            job.arrived() + limit,
            limit / 2,
            lineEnd(job, limit),
            System::nanoTime);
    // The engine's own limit counts from its start, not from arrival, so a slow plan or a wait for
    // the model thread (the first request after ready: a cold prompt and plan) still leaves the
    // suggestion its share after the prompt; DeadlineStop ends it at a line or word before that.
    long hardLimit = DeadlineStop.HARD_FACTOR * limit;
    Completer.Output out =
        c.complete(
            key,
            prompt.parts(),
            deadline,
            context.multiLine() ? cfg.maxTokens() : Math.min(cfg.maxTokens(), 48),
            hardLimit,
            job.cancellation());
    if (deadline.fired()) {
      out = out.endedBy(deadline.reason());
    }
    long generated = System.nanoTime();
    boolean cancelled = job.cancellation().isCancelled();
    Outcome outcome =
        new Outcome.Ran(
            out,
            cancelled,
            cancelled
                ? Optional.empty()
                : PostProcessor.process(
                    typed.isEmpty() ? out.text() : TypedIndent.align(out.text(), typed), context));
    new CompletionTiming(
            job.arrived(),
            job.fired(),
            started,
            planned,
            assembled,
            checked,
            generated,
            System.nanoTime(),
            deferred != null,
            out)
        .log();
    return new Prepared(outcome, cancelled ? null : deferred);
  }

  /**
   * Until when a cold suggestion may go on to finish its first line ({@link DeadlineStop}): for a
   * document's first suggestion, twice the time limit from arrival (900 ms by default), so that the
   * suggestion the user waited for after opening a file is a line, not a word; for later ones (a
   * new line while typing also computes a cold prompt) the time limit itself, so typing's latency
   * stays bounded by it.
   */
  static long lineEnd(Job job, long limitNanos) {
    return job.arrived() + (job.firstOfDocument() ? DeadlineStop.HARD_FACTOR : 1) * limitNanos;
  }

  /**
   * Prompt tokens the model computes in half the engine's hard limit ({@link
   * DeadlineStop#HARD_FACTOR} times the time limit) at its recent prefill rate, that is in the time
   * limit itself, so that a word or a line is ready soon after it; before a rate is known (a
   * warm-up cut short on a busy machine), at {@link #UNMEASURED_RATE}.
   */
  static int affordableTokens(Completer c, ServerConfig cfg) {
    double measured = c.prefillTokensPerSecond();
    double rate = measured > 0 ? measured : UNMEASURED_RATE;
    long tokens = Math.round(rate * cfg.timeLimitMillis() * DeadlineStop.HARD_FACTOR / 2000.0);
    return (int) Math.max(MIN_NEAR_TOKENS, Math.min(cfg.contextBudget(), tokens));
  }

  /** Prompt tokens per second assumed until one is measured: the 0.5B's at 2 busy threads. */
  static final double UNMEASURED_RATE = 100;

  /** The fewest prompt tokens a suggestion is made from (a few lines around the cursor). */
  static final int MIN_NEAR_TOKENS = 64;

  /**
   * Computes {@code whole} into the document's session without generating (the model is idle while
   * the user reads), stopping at the next piece ({@link ModelCompleter#PRIME_PIECE}) once any newer
   * request came (for this document or another: the model thread runs one prompt at a time); what
   * was computed stays cached, so a later request finds more of its prompt there.
   */
  private void prime(PromptAssembler.Prompt whole, Job job) {
    Completer c = runtime.completer();
    long seen = submitted.get();
    if (c == null || !job.wanted().getAsBoolean()) {
      return;
    }
    try {
      c.prime(
          job.document().uri(),
          whole.parts(),
          () -> submitted.get() != seen || job.cancellation().isCancelled());
    } catch (RuntimeException e) {
      runtime.noticeFault(e);
    }
  }
}
