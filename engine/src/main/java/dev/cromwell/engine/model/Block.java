package dev.cromwell.engine.model;

import dev.cromwell.kernels.ops.AttentionOptions;
import dev.cromwell.kernels.ops.FloatOps;
import dev.cromwell.kernels.ops.Rope;

/**
 * The per-token steps of a transformer block as its {@link BlockRecipe} says: embedding, norms,
 * what happens to queries and keys between projection and cache, the residual add and the
 * activation. Both forward passes of {@link Transformer} call these, token by token, around their
 * own (single or batched) matrix products and attention.
 */
final class Block {
  private final ModelConfig c;
  private final BlockRecipe recipe;
  private final Rope[] ropes;
  private final AttentionOptions[] attention;

  Block(ModelConfig c, ModelWeights weights) {
    this.c = c;
    this.recipe = c.recipe();
    this.ropes = new Rope[c.blockCount()];
    this.attention = new AttentionOptions[c.blockCount()];
    for (int l = 0; l < c.blockCount(); l++) {
      ropes[l] = recipe.rope(l, c.headDim(), c.ropeBase(), weights.ropeFactors());
      attention[l] = recipe.attention(l, c.headDim());
    }
  }

  /** How layer {@code layer} scores its queries against the cache. */
  AttentionOptions attention(int layer) {
    return attention[layer];
  }

  /** {@code x = embedding of token}, scaled as the recipe says. */
  void embed(Matrix embedding, int token, float[] x) {
    embedding.row(token, x);
    if (recipe.embeddingScale() != 1f) {
      FloatOps.scale(x, c.embeddingLength(), recipe.embeddingScale());
    }
  }

  /** {@code out = norm(x)} over the model width. */
  void norm(float[] out, float[] x, LayerWeights.Norm n) {
    if (recipe.norm() == BlockRecipe.Norm.LAYER) {
      FloatOps.layerNorm(out, x, n.weight(), n.bias(), c.embeddingLength(), c.rmsEpsilon());
    } else {
      FloatOps.rmsnorm(out, x, n.weight(), c.embeddingLength(), c.rmsEpsilon());
    }
  }

  /** Between projection and cache: biases, the per-head Q/K norm, RoPE at {@code pos}. */
  void queryKeyValue(LayerWeights w, int layer, float[] q, float[] k, float[] v, int pos) {
    if (w.queryBias() != null) {
      FloatOps.add(q, w.queryBias(), c.queryDim());
    }
    if (w.keyBias() != null) {
      FloatOps.add(k, w.keyBias(), c.kvDim());
    }
    if (w.valueBias() != null) {
      FloatOps.add(v, w.valueBias(), c.kvDim());
    }
    if (recipe.qkNorm()) {
      FloatOps.rmsnormHeads(q, c.headCount(), c.headDim(), w.queryNorm(), c.rmsEpsilon());
      FloatOps.rmsnormHeads(k, c.headCountKv(), c.headDim(), w.keyNorm(), c.rmsEpsilon());
    }
    ropes[layer].apply(q, 0, c.headCount(), pos);
    ropes[layer].apply(k, 0, c.headCountKv(), pos);
  }

  /**
   * {@code x += post(projected + bias)}: the residual add of a sub-block's output, with its bias
   * and post-norm when the block has them. {@code projected} is scratch afterwards.
   */
  void residual(float[] x, float[] projected, float[] bias, LayerWeights.Norm post) {
    int n = c.embeddingLength();
    if (bias != null) {
      FloatOps.add(projected, bias, n);
    }
    if (post != null) {
      norm(projected, projected, post);
    }
    FloatOps.add(x, projected, n);
  }

  /**
   * The feed-forward's non-linearity, in place in {@code hidden}: {@code act(hidden) ⊙ up} for a
   * gated block ({@code hidden} = gate·x), {@code act(hidden + bias)} for a plain MLP ({@code
   * hidden} = up·x).
   */
  void activate(LayerWeights w, float[] hidden, float[] up) {
    int n = c.feedForwardLength();
    switch (recipe.activation()) {
      case SILU_GATED, GELU_GATED -> {
        if (w.upBias() != null) {
          FloatOps.add(up, w.upBias(), n);
        }
        if (recipe.activation() == BlockRecipe.Activation.SILU_GATED) {
          FloatOps.siluMul(hidden, up, n);
        } else {
          FloatOps.geluMul(hidden, up, n);
        }
      }
      case GELU -> {
        if (w.upBias() != null) {
          FloatOps.add(hidden, w.upBias(), n);
        }
        FloatOps.gelu(hidden, n);
      }
    }
  }

  /** The output head's last step: soft-capping, where the recipe has it. */
  void finish(float[] logits) {
    if (recipe.finalSoftCap() > 0) {
      FloatOps.softCap(logits, 0, c.vocabularySize(), recipe.finalSoftCap());
    }
  }
}
