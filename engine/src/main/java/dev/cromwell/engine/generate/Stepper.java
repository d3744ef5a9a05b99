package dev.cromwell.engine.generate;

import dev.cromwell.engine.model.Session;

/** Feeds the decode loop's chosen tokens to the model and hands back the logits that follow. */
sealed interface Stepper permits Stepper.Plain, SpeculativeStepper {
  /**
   * Appends {@code token} and returns the logits after it.
   *
   * @param remaining tokens the loop may still generate after this one (bounds speculation)
   */
  float[] next(int token, int remaining);

  /**
   * Whether the last {@link #next} ran a model pass; false where its logits came from a pass before
   * (a drafted token that was verified already).
   */
  default boolean passed() {
    return true;
  }

  /** The tokens decoded so far, prompt included (what a repetition penalty reads). */
  int[] history();

  /** How many tokens {@link #history} holds. */
  int length();

  /** Leaves the session holding exactly {@link #history}. */
  default void finish() {}

  default int drafted() {
    return 0;
  }

  default int accepted() {
    return 0;
  }

  /** One model pass per token. */
  record Plain(Session session) implements Stepper {
    @Override
    public float[] next(int token, int remaining) {
      return session.next(token);
    }

    @Override
    public int[] history() {
      return session.tokens();
    }

    @Override
    public int length() {
      return session.length();
    }
  }
}
