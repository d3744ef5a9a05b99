package dev.cromwell.engine.model;

import dev.cromwell.engine.gguf.GgufFile;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One model architecture, as GGUF names it in {@code general.architecture}: its hyper-parameter
 * keys and their defaults, the tensors its blocks have, and the {@link BlockRecipe} both forward
 * passes follow. Adding a family is adding one subclass to {@link #ALL} (and its tests).
 */
public abstract class Architecture {
  /** Every architecture Cromwell runs. */
  private static final List<Architecture> ALL =
      List.of(
          new Llama(),
          new Qwen2(),
          new Qwen3(),
          new StarCoder2(),
          new Phi3(),
          new Gemma(),
          new Gemma2(),
          new Gemma3());

  /** The GGUF name, also the prefix of the family's hyper-parameter keys. */
  public abstract String name();

  /** Models people know by this architecture, for messages (e.g. "Llama, CodeLlama"). */
  public abstract String models();

  /**
   * The block recipe, from the file's hyper-parameters ({@code keys} reads them under this
   * architecture's prefix).
   */
  public abstract BlockRecipe recipe(Keys keys);

  /** Tensors every block must have. */
  public Set<BlockTensor> requiredTensors() {
    return EnumSet.of(
        BlockTensor.ATTENTION_NORM,
        BlockTensor.QUERY,
        BlockTensor.KEY,
        BlockTensor.VALUE,
        BlockTensor.ATTENTION_OUTPUT,
        BlockTensor.FEED_FORWARD_NORM,
        BlockTensor.GATE,
        BlockTensor.UP,
        BlockTensor.DOWN);
  }

  /** Tensors a block may have; the passes use them when the file has them. */
  public Set<BlockTensor> optionalTensors() {
    return EnumSet.of(BlockTensor.QUERY_BIAS, BlockTensor.KEY_BIAS, BlockTensor.VALUE_BIAS);
  }

  /**
   * Whether {@code ffn_up} holds the gate's rows and then the up rows, {@code 2 × ffn} in all
   * (Phi-3), instead of a separate {@code ffn_gate}.
   */
  public boolean fusedGateUp() {
    return false;
  }

  /**
   * The tensor of per-pair RoPE divisors that a context of {@code contextLength} positions uses, if
   * the file has it: Llama 3.x's {@code rope_freqs}. A family with factors that depend on the
   * context (Phi-3's long and short ones) chooses here.
   */
  public String ropeFactorsTensor(Keys keys, int contextLength) {
    return "rope_freqs.weight";
  }

  /** The GGUF key of the norms' epsilon, under this architecture's prefix. */
  public String normEpsilonKey() {
    return "attention.layer_norm_rms_epsilon";
  }

  /** The architecture GGUF calls {@code name}, if Cromwell runs it. */
  public static Optional<Architecture> named(String name) {
    return ALL.stream().filter(a -> a.name().equals(name)).findFirst();
  }

  /** The GGUF names of every architecture Cromwell runs. */
  public static List<String> names() {
    return ALL.stream().map(Architecture::name).toList();
  }

  /** All architectures (for help texts and messages). */
  public static List<Architecture> all() {
    return ALL;
  }

  /** Reads one architecture's hyper-parameters: {@code key} means {@code <arch>.key}. */
  public record Keys(GgufFile file, String prefix) {
    public double number(String key, double fallback) {
      return file.number(prefix + "." + key).orElse(fallback);
    }

    public long integer(String key, long fallback) {
      return file.integer(prefix + "." + key).orElse(fallback);
    }

    public Optional<String> string(String key) {
      return file.string(prefix + "." + key);
    }

    /**
     * The linear RoPE scaling of the file ({@code rope.scaling.type} "linear" with {@code
     * rope.scaling.factor}, or the older {@code rope.scale_linear}) as a frequency scale, 1 when
     * none.
     */
    public double linearRopeScale() {
      String type = string("rope.scaling.type").orElse("linear");
      double factor = number("rope.scaling.factor", number("rope.scale_linear", 0));
      return type.equals("linear") && factor > 0 ? 1.0 / factor : 1.0;
    }
  }
}
