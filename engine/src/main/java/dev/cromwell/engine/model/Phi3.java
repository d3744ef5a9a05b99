package dev.cromwell.engine.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * Phi-3: Llama's block with NeoX RoPE, queries, keys and values in one {@code attn_qkv} matrix and
 * the gate's rows before the up rows in one {@code ffn_up}. Both become row views, so nothing is
 * copied. Like llama.cpp, it ignores the sliding window Phi-3 files declare, and the long-context
 * RoPE factors of the 128k models are not read.
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
    return BlockRecipe.LLAMA.withNeoxRope().withRopeFreqScale(keys.linearRopeScale());
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
