package dev.cromwell.service;

import dev.cromwell.edit.EditPasses;
import dev.cromwell.engine.model.Session;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * An edit's passes as a scheduler's parted work ({@link BatchingScheduler#runInSessionByParts}):
 * one pass at a time between the steps of the jobs it decodes, in the prefix-reuse session that
 * shares most with the prompt, so completions and streams go on while an edit is computed. The
 * caller waits on its own thread (never the scheduler's).
 */
public record SchedulerPasses(BatchingScheduler scheduler) implements EditPasses {
  @Override
  public <T> T run(int[] prompt, Function<Session, Optional<T>> work) {
    CompletableFuture<T> result = scheduler.runInSessionByParts(prompt, work::apply);
    try {
      return result.get();
    } catch (InterruptedException e) {
      // Nobody waits for it any more: the scheduler drops the work at its next part.
      result.cancel(false);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while the edit was computed");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    }
  }

  /** A chunk, as a joining job's prompt: the scheduler interleaves it with decode steps. */
  @Override
  public int promptPart() {
    return scheduler.promptChunk();
  }
}
