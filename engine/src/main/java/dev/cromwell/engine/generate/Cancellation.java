package dev.cromwell.engine.generate;

import java.util.function.BooleanSupplier;

/** A flag another thread sets to stop a generation; checked before every token. */
public final class Cancellation implements BooleanSupplier {
  private volatile boolean cancelled;

  public void cancel() {
    cancelled = true;
  }

  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public boolean getAsBoolean() {
    return cancelled;
  }
}
