package dev.cromwell.engine.tokenizer;

/** Token kinds as GGUF's {@code tokenizer.ggml.token_type} stores them. */
public enum TokenType {
  UNDEFINED,
  NORMAL,
  UNKNOWN,
  CONTROL,
  USER_DEFINED,
  UNUSED,
  BYTE;

  /** The type for a GGUF id; unknown ids count as normal tokens, as llama.cpp treats them. */
  public static TokenType fromId(int id) {
    return id >= 0 && id < values().length ? values()[id] : NORMAL;
  }
}
