package dev.cromwell.service;

import dev.cromwell.edit.EditPasses;
import dev.cromwell.engine.model.Session;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * An edit's passes as a scheduler's parted work ({@link BatchingScheduler#runInSessionByParts}):
 * one pass at a time between the steps of the jobs it decodes, in the prefix-reuse session that
 * shares most with the prompt, so completions and streams go on while an edit is computed. The
 * caller waits on its own thread (never the scheduler's).
 */
public record SchedulerPasses(BatchingScheduler scheduler, long deadlineNanos)
    implements EditPasses {
  /** How long past its deadline the caller waits for work that began: to end with its text. */
  private static final long GRACE_NANOS = 1_000_000_000L;

  /** Passes without a deadline. */
  public SchedulerPasses(BatchingScheduler scheduler) {
    this(scheduler, 0);
  }

  /**
   * Waits for the work (a second past the deadline at most, when there is one: work that stops
   * itself at the deadline ends with its result; work still waiting its turn by then is dropped).
   *
   * @throws CancellationException when the model was unloaded, the caller interrupted, or the
   *     deadline passed
   */
  @Override
  public <T> T run(int[] prompt, Function<Session, Optional<T>> work) {
    CompletableFuture<T> result = scheduler.runInSessionByParts(prompt, work::apply);
    try {
      if (deadlineNanos == 0) {
        return result.get();
      }
      return result.get(deadlineNanos + GRACE_NANOS - System.nanoTime(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // Nobody waits for it any more: the scheduler drops the work at its next part.
      result.cancel(false);
      throw new CancellationException("out of time before the work ended");
    } catch (InterruptedException e) {
      result.cancel(false);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while the edit was computed");
    } catch (ExecutionException e) {
      throw JobFailure.of(e);
    }
  }

  /** A chunk, as a joining job's prompt: the scheduler interleaves it with decode steps. */
  @Override
  public int promptPart() {
    return scheduler.promptChunk();
  }
}
