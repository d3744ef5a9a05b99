package dev.cromwell.engine.model;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.GgufFormatException;
import java.util.List;

/**
 * Shape and hyper-parameters of a decoder-only transformer, read from GGUF metadata.
 *
 * @param rmsEpsilon the epsilon of the block's norms (RMSNorm or LayerNorm)
 * @param recipe what each block computes, decided by the {@link Architecture}
 * @param tiedEmbeddings whether the output head reuses the token embedding matrix
 */
public record ModelConfig(
    String architecture,
    int embeddingLength,
    int blockCount,
    int headCount,
    int headCountKv,
    int headDim,
    int feedForwardLength,
    float rmsEpsilon,
    double ropeBase,
    BlockRecipe recipe,
    int contextLength,
    int vocabularySize,
    boolean tiedEmbeddings,
    boolean qkvBias) {

  /** Architectures whose forward pass Cromwell implements. */
  public static final List<String> SUPPORTED = Architecture.names();

  /** The architecture whose recipe and tensors this model follows. */
  public Architecture family() {
    return Architecture.named(architecture).orElseThrow();
  }

  /** Whether RoPE rotates (x[i], x[i+d/2]) pairs instead of adjacent ones. */
  public boolean ropeNeox() {
    return recipe.ropeNeox();
  }

  public int kvDim() {
    return headCountKv * headDim;
  }

  public int queryDim() {
    return headCount * headDim;
  }

  /** Reads the configuration; errors name the file and the key. */
  public static ModelConfig from(GgufFile file) {
    String arch =
        file.string("general.architecture")
            .orElseThrow(() -> invalid(file, "general.architecture", "missing"));
    Architecture family =
        Architecture.named(arch)
            .orElseThrow(
                () ->
                    invalid(
                        file,
                        "general.architecture",
                        "architecture \""
                            + arch
                            + "\" is not supported; Cromwell runs "
                            + String.join(", ", SUPPORTED)
                            + " models ("
                            + String.join(
                                ", ",
                                Architecture.all().stream().map(Architecture::models).toList())
                            + ")"));
    if (file.tensors().isEmpty()) {
      throw invalid(
          file,
          "tensors",
          "this is a vocabulary-only file without weights; it can tokenize but not generate");
    }
    int dim = positive(file, arch + ".embedding_length");
    int layers = positive(file, arch + ".block_count");
    int heads = positive(file, arch + ".attention.head_count");
    int kvHeads = file.integer(arch + ".attention.head_count_kv").orElse((long) heads).intValue();
    if (kvHeads <= 0 || heads % kvHeads != 0) {
      throw invalid(
          file,
          arch + ".attention.head_count_kv",
          kvHeads + " KV heads do not divide " + heads + " query heads");
    }
    int headDim =
        file.integer(arch + ".attention.key_length").orElse((long) dim / heads).intValue();
    if (headDim <= 0 || headDim % 2 != 0) {
      throw invalid(
          file,
          arch + ".attention.key_length",
          "head dimension " + headDim + " must be even and positive");
    }
    int ffn = positive(file, arch + ".feed_forward_length");
    float eps = file.number(arch + "." + family.normEpsilonKey()).orElse(1e-5).floatValue();
    double ropeBase = file.number(arch + ".rope.freq_base").orElse(10000.0);
    int context =
        (int) Math.min(Integer.MAX_VALUE, file.integer(arch + ".context_length").orElse(4096L));
    var embedding =
        file.tensor("token_embd.weight")
            .orElseThrow(() -> invalid(file, "token_embd.weight", "tensor missing"));
    int vocab = embedding.rows();
    boolean tied = file.tensor("output.weight").isEmpty();
    boolean bias =
        file.tensor(BlockTensor.QUERY_BIAS.name(0)).isPresent()
            || file.tensor(BlockTensor.QKV_BIAS.name(0)).isPresent();
    BlockRecipe recipe = family.recipe(new Architecture.Keys(file, arch));
    return new ModelConfig(
        arch, dim, layers, heads, kvHeads, headDim, ffn, eps, ropeBase, recipe, context, vocab,
        tied, bias);
  }

  private static int positive(GgufFile file, String key) {
    long v = file.integer(key).orElseThrow(() -> invalid(file, key, "missing"));
    if (v <= 0 || v > Integer.MAX_VALUE) {
      throw invalid(file, key, "value " + v + " is not a positive size");
    }
    return (int) v;
  }

  private static GgufFormatException invalid(GgufFile file, String key, String reason) {
    return new GgufFormatException(file.path(), key, 0, reason);
  }
}
