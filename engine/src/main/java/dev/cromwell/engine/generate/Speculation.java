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

  /**
   * The default for a request: off for now. Under load, prompt lookup ran at 0.25-0.6x plain
   * decoding on SmolLM2 (short batches decode weight rows to floats; acceptance was 36% on an
   * edit), and no idle-machine measurement exists yet, so it is opt-in ({@code cromwell generate
   * --speculate on}) until {@code benchmarks/speculation-contention.sh} says where it pays.
   */
  public static Speculation auto(GenerationRequest request) {
    return OFF;
  }

  /** Whether it applies to {@code request}: only greedy decoding is verified token for token. */
  boolean appliesTo(GenerationRequest request) {
    return enabled && request.sampler().temperature() <= 0;
  }
}
