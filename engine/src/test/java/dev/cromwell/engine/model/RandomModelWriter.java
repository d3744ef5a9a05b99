package dev.cromwell.engine.model;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.GgufValueType;
import dev.cromwell.engine.gguf.GgufWriter;
import dev.cromwell.engine.gguf.MetadataValue;
import dev.cromwell.kernels.formats.GgmlType;
import dev.cromwell.kernels.formats.WeightFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes GGUF models with random weights and a real vocabulary: the fixtures of tests and the
 * models of benchmarks (exact shapes of real models, without their weights). A test fixture: it
 * lives in the engine's test jar, which benchmarks and the other modules' tests depend on.
 *
 * <p>The tensors and keys of each family follow llama.cpp's converter: Qwen3's per-head Q/K norms,
 * StarCoder2's LayerNorm biases, biases and ungated MLP, Phi-3's fused {@code attn_qkv} and
 * gate-and-up {@code ffn_up}, Gemma's post-norms, soft-caps and sliding window.
 */
public final class RandomModelWriter {
  /**
   * The model to write. Matrices get {@code matrixType}; norms stay F32 (as in real files).
   *
   * @param weightStd standard deviation of matrix weights (small, so nothing overflows)
   * @param headDim per-head width, 0 for {@code embeddingLength / headCount}
   * @param ropeScalingFactor linear RoPE scaling factor written as {@code rope.scaling.*}, 0 none
   * @param ropeFreqs whether to write Llama 3.x's per-pair {@code rope_freqs.weight}
   */
  public record Spec(
      String architecture,
      int embeddingLength,
      int blockCount,
      int headCount,
      int headCountKv,
      int feedForwardLength,
      boolean tiedEmbeddings,
      boolean qkvBias,
      GgmlType matrixType,
      double ropeBase,
      float rmsEpsilon,
      int contextLength,
      float weightStd,
      long seed,
      int headDim,
      double ropeScalingFactor,
      boolean ropeFreqs) {

    public Spec(
        String architecture,
        int embeddingLength,
        int blockCount,
        int headCount,
        int headCountKv,
        int feedForwardLength,
        boolean tiedEmbeddings,
        boolean qkvBias,
        GgmlType matrixType,
        double ropeBase,
        float rmsEpsilon,
        int contextLength,
        float weightStd,
        long seed) {
      this(
          architecture,
          embeddingLength,
          blockCount,
          headCount,
          headCountKv,
          feedForwardLength,
          tiedEmbeddings,
          qkvBias,
          matrixType,
          ropeBase,
          rmsEpsilon,
          contextLength,
          weightStd,
          seed,
          0,
          0,
          false);
    }

    public int queryHeadDim() {
      return headDim > 0 ? headDim : embeddingLength / headCount;
    }

    public Spec withHeadDim(int d) {
      return new Spec(
          architecture,
          embeddingLength,
          blockCount,
          headCount,
          headCountKv,
          feedForwardLength,
          tiedEmbeddings,
          qkvBias,
          matrixType,
          ropeBase,
          rmsEpsilon,
          contextLength,
          weightStd,
          seed,
          d,
          ropeScalingFactor,
          ropeFreqs);
    }

    public Spec withRopeScaling(double linearFactor, boolean freqs) {
      return new Spec(
          architecture,
          embeddingLength,
          blockCount,
          headCount,
          headCountKv,
          feedForwardLength,
          tiedEmbeddings,
          qkvBias,
          matrixType,
          ropeBase,
          rmsEpsilon,
          contextLength,
          weightStd,
          seed,
          headDim,
          linearFactor,
          freqs);
    }

    /** A tiny model that runs in milliseconds. */
    public static Spec tiny(String architecture, GgmlType type, long seed) {
      boolean qwen = architecture.equals("qwen2");
      return new Spec(
          architecture,
          64,
          2,
          4,
          2,
          96,
          qwen,
          qwen,
          type,
          qwen ? 1_000_000.0 : 10_000.0,
          1e-6f,
          512,
          0.08f,
          seed);
    }
  }

  private RandomModelWriter() {}

  /**
   * Writes a model whose tokenizer (every {@code tokenizer.*} key) is copied from {@code
   * vocabularySource}.
   */
  public static void write(Spec spec, GgufFile vocabularySource, Path out) throws IOException {
    write(spec, tokenizerMetadata(vocabularySource), out);
  }

  /** The {@code tokenizer.*} entries of a GGUF file. */
  public static Map<String, MetadataValue> tokenizerMetadata(GgufFile file) {
    Map<String, MetadataValue> tokenizer = new java.util.LinkedHashMap<>();
    file.metadata()
        .forEach(
            (k, v) -> {
              if (k.startsWith("tokenizer.")) {
                tokenizer.put(k, v);
              }
            });
    return tokenizer;
  }

  /**
   * Qwen2's vocabulary with Qwen2.5-Coder's fill-in-the-middle tokens written over the padding
   * entries 151659–151664, where Qwen2.5-Coder has them: random models then prompt like the real
   * coder models do.
   */
  public static Map<String, MetadataValue> withQwenCoderFimTokens(
      Map<String, MetadataValue> tokenizer) {
    List<MetadataValue> tokens =
        new java.util.ArrayList<>(
            ((MetadataValue.Array) tokenizer.get("tokenizer.ggml.tokens")).items());
    List<MetadataValue> types =
        new java.util.ArrayList<>(
            ((MetadataValue.Array) tokenizer.get("tokenizer.ggml.token_type")).items());
    String[] fim = {
      "<|fim_prefix|>",
      "<|fim_middle|>",
      "<|fim_suffix|>",
      "<|fim_pad|>",
      "<|repo_name|>",
      "<|file_sep|>"
    };
    for (int i = 0; i < fim.length; i++) {
      tokens.set(151659 + i, new MetadataValue.Str(fim[i]));
      types.set(151659 + i, new MetadataValue.Int(types.get(0).type(), 3)); // CONTROL
    }
    Map<String, MetadataValue> patched = new java.util.LinkedHashMap<>(tokenizer);
    patched.put("tokenizer.ggml.tokens", new MetadataValue.Array(GgufValueType.STRING, tokens));
    patched.put("tokenizer.ggml.token_type", new MetadataValue.Array(types.get(0).type(), types));
    return patched;
  }

  /** Writes a model with the given tokenizer metadata. */
  public static void write(Spec spec, Map<String, MetadataValue> tokenizer, Path out)
      throws IOException {
    GgufWriter w = new GgufWriter();
    String a = spec.architecture();
    w.putString("general.architecture", a);
    // Not the architecture: llama.cpp's loader gives a "phi3" in the name Phi-3's special tokens.
    w.putString("general.name", "cromwell-random-model");
    w.putUInt32("general.alignment", 32);
    w.putUInt32(a + ".context_length", spec.contextLength());
    w.putUInt32(a + ".embedding_length", spec.embeddingLength());
    w.putUInt32(a + ".block_count", spec.blockCount());
    w.putUInt32(a + ".feed_forward_length", spec.feedForwardLength());
    w.putUInt32(a + ".attention.head_count", spec.headCount());
    w.putUInt32(a + ".attention.head_count_kv", spec.headCountKv());
    boolean layerNorm = a.equals("starcoder2");
    w.putFloat32(
        a + (layerNorm ? ".attention.layer_norm_epsilon" : ".attention.layer_norm_rms_epsilon"),
        spec.rmsEpsilon());
    w.putFloat32(a + ".rope.freq_base", (float) spec.ropeBase());
    if (spec.headDim() > 0) {
      w.putUInt32(a + ".attention.key_length", spec.headDim());
      w.putUInt32(a + ".attention.value_length", spec.headDim());
    }
    if (spec.ropeScalingFactor() > 0) {
      w.putString(a + ".rope.scaling.type", "linear");
      w.putFloat32(a + ".rope.scaling.factor", (float) spec.ropeScalingFactor());
    }
    switch (a) {
      case "gemma2" -> {
        // Far below Gemma 2's own 50 and 30, so that capping changes a tiny model's numbers.
        w.putFloat32(a + ".attn_logit_softcapping", 0.5f);
        w.putFloat32(a + ".final_logit_softcapping", 2f);
        w.putUInt32(a + ".attention.sliding_window", 3);
      }
      case "gemma3" -> w.putUInt32(a + ".attention.sliding_window", 3);
      default -> {}
    }
    tokenizer.forEach(w::put);
    int vocab = ((MetadataValue.Array) tokenizer.get("tokenizer.ggml.tokens")).items().size();

    SplittableRandom random = new SplittableRandom(spec.seed());
    int dim = spec.embeddingLength();
    int headDim = spec.queryHeadDim();
    int qDim = spec.headCount() * headDim;
    int kvDim = spec.headCountKv() * headDim;
    int ffn = spec.feedForwardLength();
    boolean gemma = a.startsWith("gemma");
    matrix(w, "token_embd.weight", vocab, dim, spec, random);
    if (spec.ropeFreqs()) {
      // Llama 3.x's converter writes the per-pair divisors; these span its range (1 to 8).
      float[] factors = new float[headDim / 2];
      for (int i = 0; i < factors.length; i++) {
        factors[i] = 1f + 7f * i / Math.max(1, factors.length - 1);
      }
      w.addTensor(
          "rope_freqs.weight",
          GgmlType.F32,
          new long[] {factors.length},
          WeightFormat.of(GgmlType.F32).quantize(factors));
    }
    for (int l = 0; l < spec.blockCount(); l++) {
      String p = "blk." + l + ".";
      norm(w, p + "attn_norm.weight", dim, random);
      if (layerNorm) {
        bias(w, p + "attn_norm.bias", dim, random);
      }
      if (a.equals("phi3")) {
        matrix(w, p + "attn_qkv.weight", qDim + 2 * kvDim, dim, spec, random);
      } else {
        matrix(w, p + "attn_q.weight", qDim, dim, spec, random);
        matrix(w, p + "attn_k.weight", kvDim, dim, spec, random);
        matrix(w, p + "attn_v.weight", kvDim, dim, spec, random);
      }
      if (spec.qkvBias() || layerNorm) {
        bias(w, p + "attn_q.bias", qDim, random);
        bias(w, p + "attn_k.bias", kvDim, random);
        bias(w, p + "attn_v.bias", kvDim, random);
      }
      if (a.equals("qwen3") || a.equals("gemma3")) {
        norm(w, p + "attn_q_norm.weight", headDim, random);
        norm(w, p + "attn_k_norm.weight", headDim, random);
      }
      matrix(w, p + "attn_output.weight", dim, qDim, spec, random);
      if (layerNorm) {
        bias(w, p + "attn_output.bias", dim, random);
      }
      if (a.equals("gemma2") || a.equals("gemma3")) {
        norm(w, p + "post_attention_norm.weight", dim, random);
      }
      norm(w, p + "ffn_norm.weight", dim, random);
      if (layerNorm) {
        bias(w, p + "ffn_norm.bias", dim, random);
        matrix(w, p + "ffn_up.weight", ffn, dim, spec, random);
        bias(w, p + "ffn_up.bias", ffn, random);
      } else if (a.equals("phi3")) {
        matrix(w, p + "ffn_up.weight", 2 * ffn, dim, spec, random);
      } else {
        matrix(w, p + "ffn_gate.weight", ffn, dim, spec, random);
        matrix(w, p + "ffn_up.weight", ffn, dim, spec, random);
      }
      matrix(w, p + "ffn_down.weight", dim, ffn, spec, random);
      if (layerNorm) {
        bias(w, p + "ffn_down.bias", dim, random);
      }
      if (a.equals("gemma2") || a.equals("gemma3")) {
        norm(w, p + "post_ffw_norm.weight", dim, random);
      }
    }
    norm(w, "output_norm.weight", dim, random);
    if (layerNorm) {
      bias(w, "output_norm.bias", dim, random);
    }
    if (!spec.tiedEmbeddings() && !gemma) {
      matrix(w, "output.weight", vocab, dim, spec, random);
    }
    w.write(out);
  }

  /**
   * The type llama.cpp's quantizer writes for rows of {@code cols} weights of {@code wanted}: a row
   * that is not a whole number of the type's blocks (896 columns in Q4_K's 256-weight blocks) gets
   * Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0 (any other: Q8_0), and F16 if even that does not fit —
   * which is why most of a real Qwen2.5-Coder-0.5B "Q4_K_M" file is Q5_0.
   */
  static GgmlType fallback(GgmlType wanted, int cols) {
    if (cols % wanted.blockSize() == 0) {
      return wanted;
    }
    GgmlType smaller =
        switch (wanted) {
          case Q4_K -> GgmlType.Q5_0;
          case Q5_K -> GgmlType.Q5_1;
          default -> GgmlType.Q8_0;
        };
    return cols % smaller.blockSize() == 0 ? smaller : GgmlType.F16;
  }

  private static void matrix(
      GgufWriter w, String name, int rows, int cols, Spec spec, SplittableRandom random) {
    // Each matrix draws from its own seed so that writing rows lazily stays deterministic.
    long seed = random.nextLong();
    GgmlType type = fallback(spec.matrixType(), cols);
    WeightFormat format = WeightFormat.of(type);
    w.addTensor(
        name,
        type,
        new long[] {cols, rows},
        out -> {
          SplittableRandom rows_ = new SplittableRandom(seed);
          float[] row = new float[cols];
          for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
              row[c] = (float) (gaussian(rows_) * spec.weightStd());
            }
            out.write(format.quantize(row));
          }
        });
  }

  private static void norm(GgufWriter w, String name, int n, SplittableRandom random) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (1.0 + 0.1 * gaussian(random));
    }
    w.addTensor(name, GgmlType.F32, new long[] {n}, WeightFormat.of(GgmlType.F32).quantize(v));
  }

  private static void bias(GgufWriter w, String name, int n, SplittableRandom random) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (0.05 * gaussian(random));
    }
    w.addTensor(name, GgmlType.F32, new long[] {n}, WeightFormat.of(GgmlType.F32).quantize(v));
  }

  private static double gaussian(SplittableRandom random) {
    // Box–Muller: SplittableRandom has no nextGaussian of its own in every JDK we target.
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
