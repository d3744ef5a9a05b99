package dev.cromwell.engine.model;

/**
 * Gemma and CodeGemma: Llama's block with GeGLU, NeoX RoPE and embeddings scaled by √dim (the
 * converter already stored the norms' {@code 1 + w}). Gemma 2 and 3 build on it.
 */
class Gemma extends Architecture {
  @Override
  public String name() {
    return "gemma";
  }

  @Override
  public String models() {
    return "Gemma, CodeGemma";
  }

  @Override
  public BlockRecipe recipe(Keys keys) {
    float dim = keys.integer("embedding_length", 1);
    return BlockRecipe.LLAMA
        .withActivation(BlockRecipe.Activation.GELU_GATED)
        .withNeoxRope()
        .withEmbeddingScale((float) Math.sqrt(dim))
        .withRopeFreqScale(keys.linearRopeScale());
  }

  /**
   * The 27B models scale queries by {@code 1/√(dim/heads)} instead of {@code 1/√headDim}; llama.cpp
   * recognises them by their layer count, and so does Cromwell.
   */
  static float attentionScale(Keys keys, int layersOf27b) {
    if (keys.integer("block_count", 0) != layersOf27b) {
      return 0f;
    }
    double dim = keys.integer("embedding_length", 1);
    double heads = keys.integer("attention.head_count", 1);
    return (float) (1.0 / Math.sqrt(dim / heads));
  }
}
