package dev.cromwell.lsp;

import dev.cromwell.context.ContextBudget;
import dev.cromwell.context.PromptPlan;
import dev.cromwell.engine.generate.Cancellation;
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

  CompletionLane(ModelRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * A request for the cursor at char {@code offset} of {@code document}.
   *
   * @param wanted whether it is still worth running (no newer request for the document came)
   */
  record Job(
      OpenDocument document, int offset, Cancellation cancellation, BooleanSupplier wanted) {}

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

  /** Runs {@code job} at once, off the caller's thread. */
  CompletableFuture<Outcome> submit(Job job) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return run(job);
          } catch (RuntimeException e) {
            runtime.noticeFault(e);
            throw e;
          }
        },
        requests);
  }

  private Outcome run(Job job) {
    if (!job.wanted().getAsBoolean() || job.cancellation().isCancelled()) {
      return new Outcome.Superseded();
    }
    Completer c = runtime.completer();
    ServerConfig cfg = runtime.config();
    if (c == null) {
      return new Outcome.NoModel();
    }
    OpenDocument document = job.document();
    PromptAssembler.Cursor cursor = PromptAssembler.Cursor.of(document.text(), job.offset());
    ContextBudget budget = runtime.budget();
    PromptPlan plan =
        budget != null
                && document.path() != null
                && runtime.index().file(document.path()).isPresent()
            ? budget.planCompletion(
                document.path(), cursor.line(), cursor.column(), cfg.contextBudget())
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
            job.cancellation());
    boolean cancelled = job.cancellation().isCancelled();
    return new Outcome.Ran(
        out, cancelled, cancelled ? Optional.empty() : PostProcessor.process(out.text(), context));
  }
}
