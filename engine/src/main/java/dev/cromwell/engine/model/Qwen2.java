package dev.cromwell.engine.model;

/** Qwen2 and Qwen2.5(-Coder): Llama's block with Q/K/V biases and NeoX RoPE. */
final class Qwen2 extends Architecture {
  @Override
  public String name() {
    return "qwen2";
  }

  @Override
  public String models() {
    return "Qwen2.5-Coder";
  }

  @Override
  public BlockRecipe recipe(Keys keys) {
    return BlockRecipe.LLAMA.withNeoxRope().withRopeFreqScale(keys.linearRopeScale());
  }
}
