package dev.cromwell.engine.generate;

import java.util.Locale;

/** Why generation ended. */
public enum StopReason {
  /** The model produced an end-of-generation token. */
  END_OF_TEXT,
  /** A stop token or stop string was produced. */
  STOP_SEQUENCE,
  /** The token limit was reached. */
  MAX_TOKENS,
  /** The context window is full. */
  CONTEXT_FULL,
  /** The caller cancelled. */
  CANCELLED,
  /** The time limit was reached. */
  TIME_LIMIT;

  /**
   * Whether the model ended the text itself (an end token, a stop token or stop string), rather
   * than a limit or the caller cutting it short: only then is the text a whole answer.
   */
  public boolean endedByModel() {
    return this == END_OF_TEXT || this == STOP_SEQUENCE;
  }

  /**
   * The reason as status, logs and the CLI show it: the name in lower case ({@code time_limit}).
   */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
