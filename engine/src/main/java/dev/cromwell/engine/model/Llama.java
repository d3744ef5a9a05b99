package dev.cromwell.engine.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * Llama, CodeLlama, DeepSeek-Coder, SmolLM and the mission's own Cromwell models: the base recipe,
 * with linear RoPE scaling (DeepSeek-Coder) and Llama 3.x's per-pair {@code rope_freqs} when the
 * file has them.
 */
final class Llama extends Architecture {
  @Override
  public String name() {
    return "llama";
  }

  @Override
  public String models() {
    return "Llama, CodeLlama, DeepSeek-Coder, SmolLM";
  }

  @Override
  public BlockRecipe recipe(Keys keys) {
    return BlockRecipe.LLAMA.withRopeFreqScale(keys.linearRopeScale());
  }

  @Override
  public Set<BlockTensor> optionalTensors() {
    Set<BlockTensor> optional = EnumSet.copyOf(super.optionalTensors());
    optional.add(BlockTensor.ATTENTION_OUTPUT_BIAS);
    return optional;
  }
}
