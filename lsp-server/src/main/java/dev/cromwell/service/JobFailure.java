package dev.cromwell.service;

import java.util.concurrent.ExecutionException;

/** What a caller waiting on the model's thread throws when the work it waited for failed. */
public final class JobFailure {
  private JobFailure() {}

  /**
   * The work's own failure, so that callers catch what the work threw, not a wrapper: an unchecked
   * exception as it is, an {@link Error} rethrown here, anything else wrapped.
   */
  public static RuntimeException of(ExecutionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof Error error) {
      throw error;
    }
    return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
  }
}
