package dev.cromwell.engine.store;

import java.io.IOException;

/**
 * A pull or import that failed; the message is one line a user can act on, and nothing was
 * installed.
 */
public final class PullException extends IOException {
  private static final long serialVersionUID = 1L;

  public PullException(String message) {
    super(message);
  }

  public PullException(String message, Throwable cause) {
    super(message, cause);
  }
}
