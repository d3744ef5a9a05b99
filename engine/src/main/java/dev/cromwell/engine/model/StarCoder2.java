package dev.cromwell.engine.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * StarCoder2: LayerNorm with biases, a plain GELU MLP (no gate) with biases, biases on every
 * projection, NeoX RoPE.
 */
final class StarCoder2 extends Architecture {
  @Override
  public String name() {
    return "starcoder2";
  }

  @Override
  public String models() {
    return "StarCoder2";
  }

  @Override
  public BlockRecipe recipe(Keys keys) {
    return BlockRecipe.LLAMA
        .withNorm(BlockRecipe.Norm.LAYER)
        .withActivation(BlockRecipe.Activation.GELU)
        .withNeoxRope()
        .withRopeFreqScale(keys.linearRopeScale());
  }

  @Override
  public String normEpsilonKey() {
    return "attention.layer_norm_epsilon";
  }

  @Override
  public Set<BlockTensor> requiredTensors() {
    return EnumSet.of(
        BlockTensor.ATTENTION_NORM,
        BlockTensor.ATTENTION_NORM_BIAS,
        BlockTensor.QUERY,
        BlockTensor.KEY,
        BlockTensor.VALUE,
        BlockTensor.ATTENTION_OUTPUT,
        BlockTensor.FEED_FORWARD_NORM,
        BlockTensor.FEED_FORWARD_NORM_BIAS,
        BlockTensor.UP,
        BlockTensor.DOWN);
  }

  @Override
  public Set<BlockTensor> optionalTensors() {
    return EnumSet.of(
        BlockTensor.QUERY_BIAS,
        BlockTensor.KEY_BIAS,
        BlockTensor.VALUE_BIAS,
        BlockTensor.ATTENTION_OUTPUT_BIAS,
        BlockTensor.UP_BIAS,
        BlockTensor.DOWN_BIAS);
  }
}
