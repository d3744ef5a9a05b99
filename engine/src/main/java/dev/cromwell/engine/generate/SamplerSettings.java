package dev.cromwell.engine.generate;

/**
 * How the next token is picked from the logits.
 *
 * @param temperature 0 (or less) means greedy: always the most likely token
 * @param topK keep only the k most likely tokens (0 = all)
 * @param topP keep the smallest set whose probability reaches p (1 = all)
 * @param minP drop tokens less likely than minP × the most likely one (0 = none)
 * @param repeatPenalty divide (or multiply, for negatives) logits of recent tokens by this (1 =
 *     off)
 * @param repeatWindow how many recent tokens the penalty looks at
 * @param seed random seed, for reproducible sampling
 */
public record SamplerSettings(
    float temperature,
    int topK,
    float topP,
    float minP,
    float repeatPenalty,
    int repeatWindow,
    long seed) {

  public SamplerSettings {
    if (!Float.isFinite(temperature)) {
      throw new IllegalArgumentException("temperature must be a number, got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top-k must be 0 (off) or positive, got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
    }
    if (!(minP >= 0 && minP < 1)) {
      throw new IllegalArgumentException("min-p must be in [0, 1), got " + minP);
    }
    if (!(repeatPenalty > 0) || !Float.isFinite(repeatPenalty)) {
      throw new IllegalArgumentException("repeat penalty must be positive, got " + repeatPenalty);
    }
    if (repeatWindow < 0) {
      throw new IllegalArgumentException("repeat window must not be negative, got " + repeatWindow);
    }
  }

  /** Always the most likely token. */
  public static SamplerSettings greedy() {
    return new SamplerSettings(0f, 0, 1f, 0f, 1f, 64, 0);
  }

  /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05. */
  public static SamplerSettings defaults(long seed) {
    return new SamplerSettings(0.8f, 40, 0.95f, 0.05f, 1f, 64, seed);
  }
}
