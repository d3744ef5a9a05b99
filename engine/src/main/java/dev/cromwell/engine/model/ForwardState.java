package dev.cromwell.engine.model;

/** Scratch buffers of one forward pass, allocated once per session so decoding never allocates. */
final class ForwardState {
  final float[] x;
  final float[] normed;
  final float[] query;
  final float[] key;
  final float[] value;
  final float[] attention;
  final float[] projected;
  final float[] gate;
  final float[] up;
  final float[] logits;
  float[] scores;

  ForwardState(ModelConfig c) {
    x = new float[c.embeddingLength()];
    normed = new float[c.embeddingLength()];
    query = new float[c.queryDim()];
    key = new float[c.kvDim()];
    value = new float[c.kvDim()];
    attention = new float[c.queryDim()];
    projected = new float[c.embeddingLength()];
    gate = new float[c.feedForwardLength()];
    up = new float[c.feedForwardLength()];
    logits = new float[c.vocabularySize()];
    scores = new float[c.headCount() * 256];
  }

  /** Attention scores for {@code positions} positions of every head. */
  float[] scores(int heads, int positions) {
    if (scores.length < heads * positions) {
      scores = new float[Math.max(heads * positions, scores.length * 2)];
    }
    return scores;
  }
}
