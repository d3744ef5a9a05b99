package dev.cromwell.engine.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * Gemma 3: Gemma 2's post-norms with a per-head Q/K RMSNorm instead of soft-capped scores; five of
 * every six layers attend through a sliding window with RoPE base 10000 unscaled, the sixth
 * globally with the model's base and linear scaling.
 */
final class Gemma3 extends Gemma {
  @Override
  public String name() {
    return "gemma3";
  }

  @Override
  public String models() {
    return "Gemma 3";
  }

  @Override
  public BlockRecipe recipe(Keys keys) {
    BlockRecipe recipe =
        super.recipe(keys)
            .withPostNorms()
            .withQkNorm()
            .withSoftCaps(0f, (float) keys.number("final_logit_softcapping", 0.0))
            .withAttentionScale(attentionScale(keys, 62));
    int window = (int) keys.integer("attention.sliding_window", 0);
    return window <= 0
        ? recipe
        : recipe.withSlidingWindow(
            window,
            (int) keys.integer("attention.sliding_window_pattern", 6),
            keys.number("rope.freq_base_swa", 10000.0));
  }

  @Override
  public Set<BlockTensor> requiredTensors() {
    Set<BlockTensor> required = EnumSet.copyOf(super.requiredTensors());
    required.add(BlockTensor.POST_ATTENTION_NORM);
    required.add(BlockTensor.POST_FEED_FORWARD_NORM);
    required.add(BlockTensor.QUERY_NORM);
    required.add(BlockTensor.KEY_NORM);
    return required;
  }
}
