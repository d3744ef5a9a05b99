package dev.cromwell.engine.generate;

/**
 * Timings of one generation. Prompt speed counts only computed (not cache-reused) tokens.
 *
 * @param promptTokensReused prompt tokens taken from the session's KV cache
 * @param draftedTokens draft tokens proposed (by prompt lookup or a draft model) and verified (0
 *     without speculation)
 * @param acceptedDrafts draft tokens that matched what decoding chose
 */
public record GenerationStats(
    int promptTokens,
    int promptTokensReused,
    long promptNanos,
    int generatedTokens,
    long generationNanos,
    long timeToFirstTokenNanos,
    int draftedTokens,
    int acceptedDrafts) {

  /** Stats of a generation without speculation. */
  public GenerationStats(
      int promptTokens,
      int promptTokensReused,
      long promptNanos,
      int generatedTokens,
      long generationNanos,
      long timeToFirstTokenNanos) {
    this(
        promptTokens,
        promptTokensReused,
        promptNanos,
        generatedTokens,
        generationNanos,
        timeToFirstTokenNanos,
        0,
        0);
  }

  /** Share of draft tokens accepted, 0 when none were drafted. */
  public double acceptanceRate() {
    return draftedTokens == 0 ? 0 : (double) acceptedDrafts / draftedTokens;
  }

  public double promptTokensPerSecond() {
    int computed = promptTokens - promptTokensReused;
    return promptNanos == 0 ? 0 : computed / (promptNanos / 1e9);
  }

  public double generatedTokensPerSecond() {
    return generationNanos == 0 ? 0 : generatedTokens / (generationNanos / 1e9);
  }

  /** One human-readable line, as printed by {@code cromwell generate}. */
  public String summary() {
    String drafts =
        draftedTokens == 0
            ? ""
            : String.format(
                " | drafts: %d/%d accepted (%.0f%%)",
                acceptedDrafts, draftedTokens, 100 * acceptanceRate());
    return String.format(
            "prompt: %d tokens (%d reused) %.1f tok/s | generated: %d tokens %.1f tok/s | first token %.0f ms",
            promptTokens,
            promptTokensReused,
            promptTokensPerSecond(),
            generatedTokens,
            generatedTokensPerSecond(),
            timeToFirstTokenNanos / 1e6)
        + drafts;
  }
}
