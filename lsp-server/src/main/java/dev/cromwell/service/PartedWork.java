package dev.cromwell.service;

import dev.cromwell.engine.model.Session;
import java.util.Optional;

/**
 * Work on the model that runs a part at a time on the scheduler's thread, in one session that no
 * job takes until the work ends ({@link BatchingScheduler#runInSessionByParts}): a long pass, as an
 * edit's scoring of its selection, then shares the model with running jobs as a long prompt does,
 * instead of stopping them for all of it.
 */
@FunctionalInterface
public interface PartedWork<T> {
  /**
   * Runs the next part in {@code session} (which holds what the earlier parts left): the result
   * once the work is done, else empty to be called again after the scheduler's next turn.
   */
  Optional<T> next(Session session);
}
