package dev.cromwell.engine.generate;

/**
 * Timings of one generation. Prompt speed counts only computed (not cache-reused) tokens.
 *
 * @param promptTokensReused prompt tokens taken from the session's KV cache
 */
public record GenerationStats(
    int promptTokens,
    int promptTokensReused,
    long promptNanos,
    int generatedTokens,
    long generationNanos,
    long timeToFirstTokenNanos) {

  public double promptTokensPerSecond() {
    int computed = promptTokens - promptTokensReused;
    return promptNanos == 0 ? 0 : computed / (promptNanos / 1e9);
  }

  public double generatedTokensPerSecond() {
    return generationNanos == 0 ? 0 : generatedTokens / (generationNanos / 1e9);
  }

  /** One human-readable line, as printed by {@code cromwell generate}. */
  public String summary() {
    return String.format(
        "prompt: %d tokens (%d reused) %.1f tok/s | generated: %d tokens %.1f tok/s | first token %.0f ms",
        promptTokens,
        promptTokensReused,
        promptTokensPerSecond(),
        generatedTokens,
        generatedTokensPerSecond(),
        timeToFirstTokenNanos / 1e6);
  }
}
