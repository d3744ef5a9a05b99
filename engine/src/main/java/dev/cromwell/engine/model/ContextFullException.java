package dev.cromwell.engine.model;

/**
 * A prompt longer than the session's context. The engine does not know how a user sets the context
 * (a CLI flag, an editor setting); each front door adds that advice to this message.
 */
public final class ContextFullException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final int promptTokens;
  private final int contextLength;

  public ContextFullException(int promptTokens, int contextLength) {
    super(
        "the prompt has "
            + promptTokens
            + " tokens but the context holds "
            + contextLength
            + "; shorten it");
    this.promptTokens = promptTokens;
    this.contextLength = contextLength;
  }

  public int promptTokens() {
    return promptTokens;
  }

  public int contextLength() {
    return contextLength;
  }
}
