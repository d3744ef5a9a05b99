package dev.cromwell.engine.model;

/**
 * Counts the forward passes reading a model's memory, so that closing the model can wait for them:
 * native memory (the mapped file, huge-page copies) must be released only after every thread that
 * reads it has stopped, or the process dies with SIGSEGV in a kernel. Once closing has begun no new
 * pass starts; the one running finishes (a token, or one prefill chunk).
 */
final class ModelUse {
  private int running;
  private boolean closing;

  /** Marks a forward pass as running; fails once the model is closing. */
  synchronized void enter() {
    if (closing) {
      throw new IllegalStateException("the model was closed");
    }
    running++;
  }

  synchronized void exit() {
    if (--running == 0 && closing) {
      notifyAll();
    }
  }

  /** Refuses new passes and waits until the running ones have ended. */
  synchronized void closeAndAwait() {
    closing = true;
    boolean interrupted = false;
    while (running > 0) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true; // the memory must not be freed under a reader: keep waiting
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  synchronized boolean closing() {
    return closing;
  }
}
