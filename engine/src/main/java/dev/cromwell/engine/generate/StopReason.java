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
   * The reason as status, logs and the CLI show it: the name in lower case ({@code time_limit}).
   */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
