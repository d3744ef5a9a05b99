package dev.cromwell.service;

import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.model.Session;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * One admitted generation, described as data for the {@link BatchingScheduler}, which steps it
 * together with others, a token at a time, under the same rules as {@link Generator}.
 *
 * @param listener receives text as it is generated (on the scheduler's thread: it must not block)
 * @param cancelled checked before every token; the client went away or the service closed
 * @param deadlineNanos {@link System#nanoTime()} after which the job stops, 0 for none
 * @param admittedNanos when the queue accepted it
 * @param session the caller's own session to decode in (an editor document's KV cache), or null for
 *     one of the scheduler's prefix-reuse sessions; the scheduler never runs two jobs on one
 *     session at once
 */
public record GenerationJob(
    GenerationRequest request,
    Generator.Listener listener,
    BooleanSupplier cancelled,
    long deadlineNanos,
    long admittedNanos,
    CompletableFuture<Outcome> result,
    Session session) {

  /** A job decoded in one of the scheduler's own sessions. */
  public GenerationJob(
      GenerationRequest request,
      Generator.Listener listener,
      BooleanSupplier cancelled,
      long deadlineNanos,
      long admittedNanos,
      CompletableFuture<Outcome> result) {
    this(request, listener, cancelled, deadlineNanos, admittedNanos, result, null);
  }

  /**
   * What came of a job.
   *
   * @param queuedNanos time from admission to start
   * @param timedOut the deadline ended it (the result holds the text so far)
   */
  public record Outcome(GenerationResult result, long queuedNanos, boolean timedOut) {}

  /** Whether the deadline has passed. */
  public boolean expired(long now) {
    return deadlineNanos != 0 && now - deadlineNanos > 0;
  }
}
