package dev.cromwell.lsp;

import dev.cromwell.context.ContextBudget;
import dev.cromwell.context.PromptPlan;
import dev.cromwell.engine.generate.Cancellation;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Where an LSP completion runs on the model: the index's plan, the prompt, the generation and
 * post-processing of one request. Today that is the runtime's one model thread, so a completion
 * waits behind whatever runs there (another document's completion, an edit, a model swap). This is
 * the only place where completions for different documents wait for each other: {@link
 * CompletionService} debounces each document on its own and hands over at once. Routing LSP
 * completions through {@code service.GenerationQueue} (where batched decoding steps several
 * requests per pass) is a change to this class alone.
 */
final class CompletionLane {
  private final ModelRuntime runtime;
  private final Executor modelThread;

  CompletionLane(ModelRuntime runtime, Executor modelThread) {
    this.runtime = runtime;
    this.modelThread = modelThread;
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

  /** Runs {@code job} when its turn comes. */
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
        modelThread);
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
