package dev.cromwell.engine.generate;

/**
 * Whether and how {@link Generator} speculates with prompt lookup: draft tokens are copied from
 * where the last few tokens occurred earlier in the prompt or output, and verified in one batched
 * pass. It applies only to greedy decoding, where it changes speed and nothing else.
 *
 * @param enabled false for the plain one-token-at-a-time loop
 * @param maxNgram the longest suffix looked up
 * @param minNgram the shortest suffix looked up; shorter matches are too often wrong to pay
 * @param maxDraft the most tokens proposed at once
 */
public record Speculation(boolean enabled, int maxNgram, int minNgram, int maxDraft) {
  /** Generations asking for at least this many tokens speculate by default. */
  public static final int LONG_COMPLETION_TOKENS = 64;

  public static final Speculation OFF = new Speculation(false, 1, 1, 1);

  /** The setting for edits, which mostly copy their input. */
  public static final Speculation PROMPT_LOOKUP = new Speculation(true, 4, 2, 10);

  public Speculation {
    if (minNgram < 1 || maxNgram < minNgram) {
      throw new IllegalArgumentException(
          "n-gram sizes must satisfy 1 <= min <= max, got " + minNgram + ".." + maxNgram);
    }
    if (maxDraft < 1) {
      throw new IllegalArgumentException("max draft must be positive, got " + maxDraft);
    }
  }

  /** The default for a request: prompt lookup for long greedy generations, else off. */
  public static Speculation auto(GenerationRequest request) {
    return request.maxTokens() >= LONG_COMPLETION_TOKENS ? PROMPT_LOOKUP : OFF;
  }

  /** Whether it applies to {@code request}: only greedy decoding is verified token for token. */
  boolean appliesTo(GenerationRequest request) {
    return enabled && request.sampler().temperature() <= 0;
  }
}
