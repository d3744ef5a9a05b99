package dev.cromwell.engine.model;

/** The weights of one transformer block. Biases are {@code null} when the model has none. */
public record LayerWeights(
    float[] attentionNorm,
    Matrix query,
    Matrix key,
    Matrix value,
    float[] queryBias,
    float[] keyBias,
    float[] valueBias,
    Matrix attentionOutput,
    float[] feedForwardNorm,
    Matrix gate,
    Matrix up,
    Matrix down) {}
