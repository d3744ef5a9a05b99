package dev.cromwell.engine.model;

import dev.cromwell.kernels.ops.AttentionOptions;
import dev.cromwell.kernels.ops.Rope;

/**
 * What a transformer block computes, decided by its {@link Architecture} from the file's
 * hyper-parameters. The one-token and the batched forward pass both read it (through {@link
 * Block}), so a family that differs only here needs no change to either pass.
 *
 * @param norm RMSNorm or LayerNorm (with its bias when the file has one)
 * @param activation the feed-forward's non-linearity, gated or not
 * @param ropeNeox whether RoPE rotates (x[i], x[i+d/2]) pairs instead of adjacent ones
 * @param ropeFreqScale {@code 1 / factor} of linear RoPE scaling (1 = none)
 * @param qkNorm whether queries and keys get a per-head RMSNorm before RoPE (Qwen3, Gemma 3)
 * @param postNorms whether attention and feed-forward outputs are normalized again before the
 *     residual add (Gemma 2 and 3)
 * @param embeddingScale factor of every token embedding (Gemma: √dim)
 * @param attentionScale factor of each q·k (0 = {@code 1/√headDim})
 * @param attentionSoftCap soft-cap of attention scores (0 = none)
 * @param finalSoftCap soft-cap of the output logits (0 = none)
 * @param slidingWindow positions a windowed layer sees (0 = no windowed layers)
 * @param slidingPattern every {@code slidingPattern}-th layer sees everything, the others are
 *     windowed (0 = every layer windowed when {@code slidingWindow > 0})
 * @param slidingRopeBase RoPE base of windowed layers (0 = the model's)
 */
public record BlockRecipe(
    Norm norm,
    Activation activation,
    boolean ropeNeox,
    double ropeFreqScale,
    boolean qkNorm,
    boolean postNorms,
    float embeddingScale,
    float attentionScale,
    float attentionSoftCap,
    float finalSoftCap,
    int slidingWindow,
    int slidingPattern,
    double slidingRopeBase) {

  /** How a block normalizes. */
  public enum Norm {
    RMS,
    LAYER
  }

  /** The feed-forward's non-linearity. */
  public enum Activation {
    /** SwiGLU: {@code down · (silu(gate·x) ⊙ up·x)}. */
    SILU_GATED,
    /** GeGLU: {@code down · (gelu(gate·x) ⊙ up·x)}. */
    GELU_GATED,
    /** A plain MLP: {@code down · gelu(up·x + b)}, no gate. */
    GELU;

    public boolean gated() {
      return this != GELU;
    }
  }

  /** The Llama recipe: RMSNorm, SwiGLU, adjacent-pair RoPE, nothing else. */
  public static final BlockRecipe LLAMA =
      new BlockRecipe(
          Norm.RMS, Activation.SILU_GATED, false, 1.0, false, false, 1f, 0f, 0f, 0f, 0, 0, 0);

  public BlockRecipe withNorm(Norm n) {
    return new BlockRecipe(
        n,
        activation,
        ropeNeox,
        ropeFreqScale,
        qkNorm,
        postNorms,
        embeddingScale,
        attentionScale,
        attentionSoftCap,
        finalSoftCap,
        slidingWindow,
        slidingPattern,
        slidingRopeBase);
  }

  public BlockRecipe withActivation(Activation a) {
    return new BlockRecipe(
        norm,
        a,
        ropeNeox,
        ropeFreqScale,
        qkNorm,
        postNorms,
        embeddingScale,
        attentionScale,
        attentionSoftCap,
        finalSoftCap,
        slidingWindow,
        slidingPattern,
        slidingRopeBase);
  }

  public BlockRecipe withNeoxRope() {
    return new BlockRecipe(
        norm,
        activation,
        true,
        ropeFreqScale,
        qkNorm,
        postNorms,
        embeddingScale,
        attentionScale,
        attentionSoftCap,
        finalSoftCap,
        slidingWindow,
        slidingPattern,
        slidingRopeBase);
  }

  public BlockRecipe withRopeFreqScale(double scale) {
    return new BlockRecipe(
        norm,
        activation,
        ropeNeox,
        scale,
        qkNorm,
        postNorms,
        embeddingScale,
        attentionScale,
        attentionSoftCap,
        finalSoftCap,
        slidingWindow,
        slidingPattern,
        slidingRopeBase);
  }

  public BlockRecipe withQkNorm() {
    return new BlockRecipe(
        norm,
        activation,
        ropeNeox,
        ropeFreqScale,
        true,
        postNorms,
        embeddingScale,
        attentionScale,
        attentionSoftCap,
        finalSoftCap,
        slidingWindow,
        slidingPattern,
        slidingRopeBase);
  }

  public BlockRecipe withPostNorms() {
    return new BlockRecipe(
        norm,
        activation,
        ropeNeox,
        ropeFreqScale,
        qkNorm,
        true,
        embeddingScale,
        attentionScale,
        attentionSoftCap,
        finalSoftCap,
        slidingWindow,
        slidingPattern,
        slidingRopeBase);
  }

  public BlockRecipe withEmbeddingScale(float scale) {
    return new BlockRecipe(
        norm,
        activation,
        ropeNeox,
        ropeFreqScale,
        qkNorm,
        postNorms,
        scale,
        attentionScale,
        attentionSoftCap,
        finalSoftCap,
        slidingWindow,
        slidingPattern,
        slidingRopeBase);
  }

  public BlockRecipe withAttentionScale(float scale) {
    return new BlockRecipe(
        norm,
        activation,
        ropeNeox,
        ropeFreqScale,
        qkNorm,
        postNorms,
        embeddingScale,
        scale,
        attentionSoftCap,
        finalSoftCap,
        slidingWindow,
        slidingPattern,
        slidingRopeBase);
  }

  public BlockRecipe withSoftCaps(float attention, float output) {
    return new BlockRecipe(
        norm,
        activation,
        ropeNeox,
        ropeFreqScale,
        qkNorm,
        postNorms,
        embeddingScale,
        attentionScale,
        attention,
        output,
        slidingWindow,
        slidingPattern,
        slidingRopeBase);
  }

  public BlockRecipe withSlidingWindow(int window, int pattern, double ropeBase) {
    return new BlockRecipe(
        norm,
        activation,
        ropeNeox,
        ropeFreqScale,
        qkNorm,
        postNorms,
        embeddingScale,
        attentionScale,
        attentionSoftCap,
        finalSoftCap,
        window,
        pattern,
        ropeBase);
  }

  /** Whether layer {@code layer} (from 0) attends through the sliding window. */
  public boolean windowed(int layer) {
    return slidingWindow > 0 && (slidingPattern == 0 || (layer + 1) % slidingPattern != 0);
  }

  /** How layer {@code layer} turns q·k into scores. */
  AttentionOptions attention(int layer, int headDim) {
    float scale = attentionScale > 0 ? attentionScale : (float) (1.0 / Math.sqrt(headDim));
    return new AttentionOptions(scale, attentionSoftCap, windowed(layer) ? slidingWindow : 0);
  }

  /** The rotary embedding of layer {@code layer}; {@code factors} is the file's rope_freqs. */
  Rope rope(int layer, int headDim, double base, float[] factors) {
    double layerBase = windowed(layer) && slidingRopeBase > 0 ? slidingRopeBase : base;
    // Linear scaling applies to global layers only where windowed ones have a base of their own.
    double scale = windowed(layer) && slidingRopeBase > 0 ? 1.0 : ropeFreqScale;
    return new Rope(headDim, layerBase, ropeNeox, scale, factors);
  }
}
