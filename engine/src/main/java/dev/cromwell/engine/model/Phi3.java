package dev.cromwell.engine.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * Phi-3: Llama's block with NeoX RoPE, queries, keys and values in one {@code attn_qkv} matrix and
 * the gate's rows before the up rows in one {@code ffn_up}. Both become row views, so nothing is
 * copied. Like llama.cpp, it ignores the sliding window Phi-3 files declare.
 *
 * <p>The 128k models ("LongRoPE") carry two sets of per-pair RoPE divisors, {@code
 * rope_factors_long} and {@code rope_factors_short}, and an attention factor ({@code
 * rope.scaling.attn_factor}, √(1 + ln(scale) / ln(original context)) from the converter) that
 * multiplies the rotated queries and keys. As in llama.cpp ({@code llama_model::get_rope_factors}),
 * the choice is made once per loaded model, not per position: the long factors when the context,
 * rounded up to 256 positions as llama.cpp rounds its {@code n_ctx}, exceeds {@code
 * rope.scaling.original_context_length}, else the short ones.
 */
final class Phi3 extends Architecture {
  @Override
  public String name() {
    return "phi3";
  }

  @Override
  public String models() {
    return "Phi-3, Phi-3.5";
  }

  @Override
  public BlockRecipe recipe(Keys keys) {
    return BlockRecipe.LLAMA
        .withNeoxRope()
        .withRopeFreqScale(keys.linearRopeScale())
        .withRopeAttentionFactor(keys.number("rope.scaling.attn_factor", 1.0));
  }

  @Override
  public String ropeFactorsTensor(Keys keys, int contextLength) {
    // llama.cpp's Phi-3 graph has no rope_freqs; a file without LongRoPE has neither of these.
    long trained = keys.integer("context_length", 4096);
    long original = keys.integer("rope.scaling.original_context_length", trained);
    long padded = (contextLength + 255L) / 256 * 256;
    return padded > original ? "rope_factors_long.weight" : "rope_factors_short.weight";
  }

  @Override
  public boolean fusedGateUp() {
    return true;
  }

  @Override
  public Set<BlockTensor> requiredTensors() {
    Set<BlockTensor> required = EnumSet.copyOf(super.requiredTensors());
    required.remove(BlockTensor.GATE);
    return required;
  }

  @Override
  public Set<BlockTensor> optionalTensors() {
    Set<BlockTensor> optional = EnumSet.copyOf(super.optionalTensors());
    optional.add(BlockTensor.QKV);
    optional.add(BlockTensor.QKV_BIAS);
    return optional;
  }
}
