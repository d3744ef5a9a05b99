package dev.cromwell.engine.model;

/** Scratch buffers for a chunk of prompt tokens processed together. */
final class BatchState {
  final int capacity;
  final float[][] x;
  final float[][] normed;
  final float[][] query;
  final float[][] key;
  final float[][] value;
  final float[][] attention;
  final float[][] projected;
  final float[][] gate;
  final float[][] up;

  BatchState(ModelConfig c, int capacity) {
    this.capacity = capacity;
    x = new float[capacity][c.embeddingLength()];
    normed = new float[capacity][c.embeddingLength()];
    query = new float[capacity][c.queryDim()];
    key = new float[capacity][c.kvDim()];
    value = new float[capacity][c.kvDim()];
    attention = new float[capacity][c.queryDim()];
    projected = new float[capacity][c.embeddingLength()];
    gate = new float[capacity][c.feedForwardLength()];
    up = new float[capacity][c.feedForwardLength()];
  }
}
