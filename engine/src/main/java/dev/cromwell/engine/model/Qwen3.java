package dev.cromwell.engine.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * Qwen3 and Qwen3-Coder (dense): Qwen2's block without Q/K/V biases and with a per-head RMSNorm of
 * queries and keys before RoPE; the head width is its own key ({@code attention.key_length}), so
 * the query width need not be the model width.
 */
final class Qwen3 extends Architecture {
  @Override
  public String name() {
    return "qwen3";
  }

  @Override
  public String models() {
    return "Qwen3, Qwen3-Coder";
  }

  @Override
  public BlockRecipe recipe(Keys keys) {
    return BlockRecipe.LLAMA.withNeoxRope().withQkNorm().withRopeFreqScale(keys.linearRopeScale());
  }

  @Override
  public Set<BlockTensor> requiredTensors() {
    Set<BlockTensor> required = EnumSet.copyOf(super.requiredTensors());
    required.add(BlockTensor.QUERY_NORM);
    required.add(BlockTensor.KEY_NORM);
    return required;
  }
}
