package dev.cromwell.service;

/** The generation queue is full; the caller should try again after {@code retryAfterSeconds}. */
public final class QueueFullException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int retryAfterSeconds;

  public QueueFullException(int capacity, int retryAfterSeconds) {
    super(
        "the server is busy: "
            + capacity
            + " requests are queued or running; retry in "
            + retryAfterSeconds
            + " s");
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
