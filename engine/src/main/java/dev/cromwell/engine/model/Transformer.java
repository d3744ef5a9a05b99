package dev.cromwell.engine.model;

import dev.cromwell.kernels.FloatOps;
import dev.cromwell.kernels.Rope;
import dev.cromwell.kernels.WorkerPool;

/**
 * The decoder-only transformer of the Llama family (Llama, Qwen2, Cromwell): RMSNorm, grouped-query
 * attention with RoPE, SwiGLU feed-forward, residual connections. It reads top to bottom; the
 * arithmetic lives in the kernels.
 */
public final class Transformer {
  private final ModelConfig config;
  private final ModelWeights weights;
  private final Rope rope;
  private final WorkerPool pool;

  public Transformer(ModelConfig config, ModelWeights weights, WorkerPool pool) {
    this.config = config;
    this.weights = weights;
    this.rope = new Rope(config.headDim(), config.ropeBase(), config.ropeNeox());
    this.pool = pool;
  }

  public ModelConfig config() {
    return config;
  }

  /**
   * Runs token {@code token} at position {@code pos}, appends its keys and values to the cache and
   * returns the next-token logits (a buffer reused by the next call), or {@code null} when {@code
   * wantLogits} is false (prompt tokens whose logits nobody reads).
   */
  float[] forward(ForwardState s, KvCache cache, int token, int pos, boolean wantLogits) {
    ModelConfig c = config;
    weights.tokenEmbedding().row(token, s.x);

    for (int l = 0; l < c.blockCount(); l++) {
      LayerWeights layer = weights.layers().get(l);

      // Attention block: x += Wo · attention(rope(Wq·n), rope(Wk·n), Wv·n), n = rmsnorm(x)
      FloatOps.rmsnorm(s.normed, s.x, layer.attentionNorm(), c.embeddingLength(), c.rmsEpsilon());
      layer.query().multiply(s.normed, s.query, pool);
      layer.key().multiply(s.normed, s.key, pool);
      layer.value().multiply(s.normed, s.value, pool);
      if (c.qkvBias()) {
        FloatOps.add(s.query, layer.queryBias(), c.queryDim());
        FloatOps.add(s.key, layer.keyBias(), c.kvDim());
        FloatOps.add(s.value, layer.valueBias(), c.kvDim());
      }
      rope.apply(s.query, 0, c.headCount(), pos);
      rope.apply(s.key, 0, c.headCountKv(), pos);
      cache.store(l, pos, s.key, s.value);
      cache.attend(
          l,
          s.query,
          pos + 1,
          c.headCount(),
          c.headCountKv(),
          c.headDim(),
          s.attention,
          s.scores(c.headCount(), pos + 1),
          pool);
      layer.attentionOutput().multiply(s.attention, s.projected, pool);
      FloatOps.add(s.x, s.projected, c.embeddingLength());

      // Feed-forward block: x += Wdown · (silu(Wgate·n) ⊙ Wup·n), n = rmsnorm(x)
      FloatOps.rmsnorm(s.normed, s.x, layer.feedForwardNorm(), c.embeddingLength(), c.rmsEpsilon());
      layer.gate().multiply(s.normed, s.gate, pool);
      layer.up().multiply(s.normed, s.up, pool);
      FloatOps.siluMul(s.gate, s.up, c.feedForwardLength());
      layer.down().multiply(s.gate, s.projected, pool);
      FloatOps.add(s.x, s.projected, c.embeddingLength());
    }
    cache.commit(pos);
    if (!wantLogits) {
      return null;
    }
    FloatOps.rmsnorm(s.x, s.x, weights.outputNorm(), c.embeddingLength(), c.rmsEpsilon());
    weights.output().multiply(s.x, s.logits, pool);
    return s.logits;
  }

  /**
   * Runs {@code count} prompt tokens at positions {@code start..start+count) together: every
   * weight matrix is read once for the whole chunk. Appends their keys and values to the cache and
   * returns the logits after the last one, or {@code null} when {@code wantLogits} is false.
   */
  float[] forwardBatch(
      ForwardState s,
      BatchState b,
      KvCache cache,
      int[] tokens,
      int from,
      int count,
      int start,
      boolean wantLogits) {
    ModelConfig c = config;
    for (int t = 0; t < count; t++) {
      weights.tokenEmbedding().row(tokens[from + t], b.x[t]);
    }

    for (int l = 0; l < c.blockCount(); l++) {
      LayerWeights layer = weights.layers().get(l);

      // Attention block, every token of the chunk at once; each attends causally to the cache.
      for (int t = 0; t < count; t++) {
        FloatOps.rmsnorm(
            b.normed[t], b.x[t], layer.attentionNorm(), c.embeddingLength(), c.rmsEpsilon());
      }
      layer.query().multiply(b.normed, b.query, count, pool);
      layer.key().multiply(b.normed, b.key, count, pool);
      layer.value().multiply(b.normed, b.value, count, pool);
      for (int t = 0; t < count; t++) {
        if (c.qkvBias()) {
          FloatOps.add(b.query[t], layer.queryBias(), c.queryDim());
          FloatOps.add(b.key[t], layer.keyBias(), c.kvDim());
          FloatOps.add(b.value[t], layer.valueBias(), c.kvDim());
        }
        rope.apply(b.query[t], 0, c.headCount(), start + t);
        rope.apply(b.key[t], 0, c.headCountKv(), start + t);
        cache.store(l, start + t, b.key[t], b.value[t]);
      }
      cache.attendBatch(
          l, b.query, count, start, c.headCount(), c.headCountKv(), c.headDim(), b.attention, pool);
      layer.attentionOutput().multiply(b.attention, b.projected, count, pool);
      for (int t = 0; t < count; t++) {
        FloatOps.add(b.x[t], b.projected[t], c.embeddingLength());
      }

      // Feed-forward block.
      for (int t = 0; t < count; t++) {
        FloatOps.rmsnorm(
            b.normed[t], b.x[t], layer.feedForwardNorm(), c.embeddingLength(), c.rmsEpsilon());
      }
      layer.gate().multiply(b.normed, b.gate, count, pool);
      layer.up().multiply(b.normed, b.up, count, pool);
      for (int t = 0; t < count; t++) {
        FloatOps.siluMul(b.gate[t], b.up[t], c.feedForwardLength());
      }
      layer.down().multiply(b.gate, b.projected, count, pool);
      for (int t = 0; t < count; t++) {
        FloatOps.add(b.x[t], b.projected[t], c.embeddingLength());
      }
    }
    cache.commit(start + count - 1);
    if (!wantLogits) {
      return null;
    }
    FloatOps.rmsnorm(
        s.x, b.x[count - 1], weights.outputNorm(), c.embeddingLength(), c.rmsEpsilon());
    weights.output().multiply(s.x, s.logits, pool);
    return s.logits;
  }

  /**
   * The logits after each of the first {@code count} tokens of the chunk that {@link #forwardBatch}
   * just ran (with {@code wantLogits} false), into {@code out[0..count)}: the output matrix is read
   * once for all of them. Verifying speculative draft tokens needs every position's.
   */
  void batchLogits(BatchState b, int count, float[][] out) {
    ModelConfig c = config;
    for (int t = 0; t < count; t++) {
      FloatOps.rmsnorm(
          b.normed[t], b.x[t], weights.outputNorm(), c.embeddingLength(), c.rmsEpsilon());
    }
    weights.output().multiply(b.normed, out, count, pool);
  }
}
