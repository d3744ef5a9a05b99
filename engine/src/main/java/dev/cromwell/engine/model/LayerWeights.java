package dev.cromwell.engine.model;

/**
 * The weights of one transformer block. What a block's {@link Architecture} does not have is {@code
 * null}: biases, the Q/K norms, the post-norms, the gate of an ungated feed-forward.
 */
public record LayerWeights(
    Norm attentionNorm,
    Matrix query,
    Matrix key,
    Matrix value,
    float[] queryBias,
    float[] keyBias,
    float[] valueBias,
    float[] queryNorm,
    float[] keyNorm,
    Matrix attentionOutput,
    float[] attentionOutputBias,
    Norm postAttentionNorm,
    Norm feedForwardNorm,
    Matrix gate,
    Matrix up,
    float[] upBias,
    Matrix down,
    float[] downBias,
    Norm postFeedForwardNorm) {

  /** A norm's scale and, for a LayerNorm that has one, its bias ({@code null} otherwise). */
  public record Norm(float[] weight, float[] bias) {}
}
