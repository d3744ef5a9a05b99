package dev.cromwell.engine.generate;

/** The outcome of a generation: the text (stop string excluded), the tokens, why it stopped. */
public record GenerationResult(
    String text, int[] tokens, StopReason stopReason, GenerationStats stats) {
  public GenerationResult {
    tokens = tokens.clone();
  }
}
