package dev.cromwell.engine.model;

import dev.cromwell.kernels.WorkerPool;

/**
 * The decoder-only transformer: pre-norm blocks of grouped-query attention with RoPE and a
 * feed-forward network, with residual connections. What varies between families (norms, activation,
 * biases, Q/K norm, soft-caps, sliding windows) is the {@link BlockRecipe}, applied by {@link
 * Block}. There are two passes: one token at a time (matrix-vector products), and rows of tokens
 * together (matrix-matrix products), which serves both a prompt chunk of one sequence and a decode
 * step of several sequences, each at its own position in its own cache. The arithmetic lives in the
 * kernels.
 */
public final class Transformer {
  private final ModelConfig config;
  private final ModelWeights weights;
  private final Block block;
  private final WorkerPool pool;

  public Transformer(ModelConfig config, ModelWeights weights, WorkerPool pool) {
    this.config = config;
    this.weights = weights;
    this.block = new Block(config, weights);
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
    block.embed(weights.tokenEmbedding(), token, s.x);

    for (int l = 0; l < c.blockCount(); l++) {
      LayerWeights layer = weights.layers().get(l);

      // Attention block: x += Wo · attention(rope(Wq·n), rope(Wk·n), Wv·n), n = norm(x)
      block.norm(s.normed, s.x, layer.attentionNorm());
      layer.query().multiply(s.normed, s.query, pool);
      layer.key().multiply(s.normed, s.key, pool);
      layer.value().multiply(s.normed, s.value, pool);
      block.queryKeyValue(layer, l, s.query, s.key, s.value, pos);
      cache.store(l, pos, s.key, s.value);
      cache.attend(
          l,
          s.query,
          pos + 1,
          c.headCount(),
          c.headCountKv(),
          c.headDim(),
          block.attention(l),
          s.attention,
          s.scores(c.headCount(), pos + 1),
          pool);
      layer.attentionOutput().multiply(s.attention, s.projected, pool);
      block.residual(s.x, s.projected, layer.attentionOutputBias(), layer.postAttentionNorm());

      // Feed-forward block: x += Wdown · act(Wgate·n, Wup·n), n = norm(x)
      block.norm(s.normed, s.x, layer.feedForwardNorm());
      if (layer.gate() != null) {
        layer.gate().multiply(s.normed, s.gate, pool);
        layer.up().multiply(s.normed, s.up, pool);
      } else {
        layer.up().multiply(s.normed, s.gate, pool);
      }
      block.activate(layer, s.gate, s.up);
      layer.down().multiply(s.gate, s.projected, pool);
      block.residual(s.x, s.projected, layer.downBias(), layer.postFeedForwardNorm());
    }
    cache.commit(pos);
    if (!wantLogits) {
      return null;
    }
    block.norm(s.x, s.x, weights.outputNorm());
    weights.output().multiply(s.x, s.logits, pool);
    block.finish(s.logits);
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
    for (int t = 0; t < count; t++) {
      block.embed(weights.tokenEmbedding(), tokens[from + t], b.x[t]);
    }
    blocks(b, count, new Chunk(cache, start));
    if (!wantLogits) {
      return null;
    }
    block.norm(s.x, b.x[count - 1], weights.outputNorm());
    weights.output().multiply(s.x, s.logits, pool);
    block.finish(s.logits);
    return s.logits;
  }

  /**
   * One decode step of {@code count} independent sequences: row {@code t} is token {@code
   * tokens[t]} at position {@code positions[t]} of the sequence whose cache is {@code caches[t]}.
   * The matrix products run over all rows at once, so the weights are read once for every sequence;
   * attention runs row by row, each against its own cache. Writes the logits after each row into
   * {@code out[t]}.
   */
  void forwardRows(
      BatchState b,
      int count,
      int[] tokens,
      KvCache[] caches,
      int[] positions,
      ForwardState[] states,
      float[][] out) {
    for (int t = 0; t < count; t++) {
      block.embed(weights.tokenEmbedding(), tokens[t], b.x[t]);
    }
    blocks(b, count, new Sequences(caches, positions, states));
    batchLogits(b, count, out);
  }

  /**
   * Where the rows of a batched pass sit: in one cache at consecutive positions (a prompt chunk,
   * attending causally) or each in a cache of its own (a decode step over several sequences).
   */
  private sealed interface Rows {
    KvCache cache(int t);

    int position(int t);

    /** Attention of rows {@code 0..count)} of layer {@code layer}, their keys already stored. */
    void attend(int layer, BatchState b, int count);

    /** Marks the rows' positions complete. */
    void commit(int count);
  }

  private final class Chunk implements Rows {
    private final KvCache cache;
    private final int start;

    Chunk(KvCache cache, int start) {
      this.cache = cache;
      this.start = start;
    }

    @Override
    public KvCache cache(int t) {
      return cache;
    }

    @Override
    public int position(int t) {
      return start + t;
    }

    @Override
    public void attend(int layer, BatchState b, int count) {
      ModelConfig c = config;
      cache.attendBatch(
          layer,
          b.query,
          count,
          start,
          c.headCount(),
          c.headCountKv(),
          c.headDim(),
          block.attention(layer),
          b.attention,
          pool);
    }

    @Override
    public void commit(int count) {
      cache.commit(start + count - 1);
    }
  }

  private final class Sequences implements Rows {
    private final KvCache[] caches;
    private final int[] positions;
    private final ForwardState[] states;

    Sequences(KvCache[] caches, int[] positions, ForwardState[] states) {
      this.caches = caches;
      this.positions = positions;
      this.states = states;
    }

    @Override
    public KvCache cache(int t) {
      return caches[t];
    }

    @Override
    public int position(int t) {
      return positions[t];
    }

    @Override
    public void attend(int layer, BatchState b, int count) {
      ModelConfig c = config;
      for (int t = 0; t < count; t++) {
        int seen = positions[t] + 1;
        caches[t].attend(
            layer,
            b.query[t],
            seen,
            c.headCount(),
            c.headCountKv(),
            c.headDim(),
            block.attention(layer),
            b.attention[t],
            states[t].scores(c.headCount(), seen),
            pool);
      }
    }

    @Override
    public void commit(int count) {
      for (int t = 0; t < count; t++) {
        caches[t].commit(positions[t]);
      }
    }
  }

  /** Every layer over rows {@code 0..count)} of {@code b}, whose embeddings are in {@code b.x}. */
  private void blocks(BatchState b, int count, Rows rows) {
    ModelConfig c = config;
    for (int l = 0; l < c.blockCount(); l++) {
      LayerWeights layer = weights.layers().get(l);

      // Attention block, every row at once but for attention itself, which reads each row's cache.
      for (int t = 0; t < count; t++) {
        block.norm(b.normed[t], b.x[t], layer.attentionNorm());
      }
      layer.query().multiply(b.normed, b.query, count, pool);
      layer.key().multiply(b.normed, b.key, count, pool);
      layer.value().multiply(b.normed, b.value, count, pool);
      for (int t = 0; t < count; t++) {
        block.queryKeyValue(layer, l, b.query[t], b.key[t], b.value[t], rows.position(t));
        rows.cache(t).store(l, rows.position(t), b.key[t], b.value[t]);
      }
      rows.attend(l, b, count);
      layer.attentionOutput().multiply(b.attention, b.projected, count, pool);
      for (int t = 0; t < count; t++) {
        block.residual(
            b.x[t], b.projected[t], layer.attentionOutputBias(), layer.postAttentionNorm());
      }

      // Feed-forward block.
      for (int t = 0; t < count; t++) {
        block.norm(b.normed[t], b.x[t], layer.feedForwardNorm());
      }
      if (layer.gate() != null) {
        layer.gate().multiply(b.normed, b.gate, count, pool);
        layer.up().multiply(b.normed, b.up, count, pool);
      } else {
        layer.up().multiply(b.normed, b.gate, count, pool);
      }
      for (int t = 0; t < count; t++) {
        block.activate(layer, b.gate[t], b.up[t]);
      }
      layer.down().multiply(b.gate, b.projected, count, pool);
      for (int t = 0; t < count; t++) {
        block.residual(b.x[t], b.projected[t], layer.downBias(), layer.postFeedForwardNorm());
      }
    }
    rows.commit(count);
  }

  /**
   * The logits after each of the first {@code count} tokens of the chunk that {@link #forwardBatch}
   * just ran (with {@code wantLogits} false), or after each row of {@link #forwardRows}, into
   * {@code out[0..count)}: the output matrix is read once for all of them. Verifying speculative
   * draft tokens needs every position's.
   */
  void batchLogits(BatchState b, int count, float[][] out) {
    // The same final norm and logit finish as forward and forwardBatch, from the block recipe.
    for (int t = 0; t < count; t++) {
      block.norm(b.normed[t], b.x[t], weights.outputNorm());
    }
    weights.output().multiply(b.normed, out, count, pool);
    for (int t = 0; t < count; t++) {
      block.finish(out[t]);
    }
  }
}
