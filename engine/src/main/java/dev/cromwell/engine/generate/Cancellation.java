package dev.cromwell.engine.generate;

import java.util.function.BooleanSupplier;

/** A flag another thread sets to stop a generation; checked before every token. */
public final class Cancellation implements BooleanSupplier {
  private static final BooleanSupplier NEVER = () -> false;

  private volatile boolean cancelled;
  private final BooleanSupplier also;

  public Cancellation() {
    this(NEVER);
  }

  private Cancellation(BooleanSupplier also) {
    this.also = also;
  }

  /**
   * A cancellation that also holds once {@code stop} does: for work that has no caller to cancel it
   * but answers to another signal (the warm-up's rehearsal stops when its load is superseded).
   */
  public static Cancellation alsoWhen(BooleanSupplier stop) {
    return new Cancellation(stop);
  }

  public void cancel() {
    cancelled = true;
  }

  public boolean isCancelled() {
    return cancelled || also.getAsBoolean();
  }

  @Override
  public boolean getAsBoolean() {
    return isCancelled();
  }
}
