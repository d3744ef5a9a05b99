package dev.cromwell.engine.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * Gemma 2: Gemma's block with norms after attention and feed-forward too, soft-capped attention
 * scores and logits, and every other layer (from the first) attending through a sliding window.
 * Defaults are llama.cpp's: caps 50 and 30, a window of 4096.
 */
final class Gemma2 extends Gemma {
  @Override
  public String name() {
    return "gemma2";
  }

  @Override
  public String models() {
    return "Gemma 2";
  }

  @Override
  public BlockRecipe recipe(Keys keys) {
    return super.recipe(keys)
        .withPostNorms()
        .withSoftCaps(
            (float) keys.number("attn_logit_softcapping", 50.0),
            (float) keys.number("final_logit_softcapping", 30.0))
        .withSlidingWindow(
            (int) keys.integer("attention.sliding_window", 4096),
            (int) keys.integer("attention.sliding_window_pattern", 2),
            keys.number("rope.freq_base_swa", 0.0))
        .withAttentionScale(attentionScale(keys, 46));
  }

  @Override
  public Set<BlockTensor> requiredTensors() {
    Set<BlockTensor> required = EnumSet.copyOf(super.requiredTensors());
    required.add(BlockTensor.POST_ATTENTION_NORM);
    required.add(BlockTensor.POST_FEED_FORWARD_NORM);
    return required;
  }
}
