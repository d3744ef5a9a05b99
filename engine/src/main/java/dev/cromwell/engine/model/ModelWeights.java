package dev.cromwell.engine.model;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.GgufFormatException;
import dev.cromwell.engine.gguf.GgufTensor;
import dev.cromwell.kernels.formats.RearrangedFormat;
import dev.cromwell.kernels.formats.WeightFormat;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * All weights of a model. Matrices are views into the file's bytes — or, for a copied file, the
 * matrices whose type has a {@link RearrangedFormat} moved to memory of their own in that layout;
 * only the small norm and bias vectors are decoded into float arrays, once. Fused matrices (Phi-3's
 * {@code attn_qkv}, its gate-and-up {@code ffn_up}) become views of their row ranges.
 *
 * @param ropeFactors the per-pair RoPE divisors of {@code rope_freqs.weight} (Llama 3.x), or null
 */
public record ModelWeights(
    Matrix tokenEmbedding,
    List<LayerWeights> layers,
    LayerWeights.Norm outputNorm,
    Matrix output,
    float[] ropeFactors) {

  public static ModelWeights from(GgufFile file, ModelConfig c) {
    Architecture family = c.family();
    Matrix embedding = matrix(file, "token_embd.weight", c.vocabularySize(), c.embeddingLength());
    List<LayerWeights> layers = new ArrayList<>();
    for (int i = 0; i < c.blockCount(); i++) {
      layers.add(new BlockReader(file, c, family, i).read());
    }
    LayerWeights.Norm outputNorm =
        new LayerWeights.Norm(
            vector(file, "output_norm.weight", c.embeddingLength()),
            optionalVector(file, "output_norm.bias", c.embeddingLength()));
    Matrix output =
        c.tiedEmbeddings()
            ? embedding
            : matrix(file, "output.weight", c.vocabularySize(), c.embeddingLength());
    float[] ropeFactors = optionalVector(file, "rope_freqs.weight", c.headDim() / 2);
    return new ModelWeights(embedding, List.copyOf(layers), outputNorm, output, ropeFactors);
  }

  /** Total bytes of weights a forward pass reads. */
  public long bytes() {
    long total = tokenEmbedding.bytes();
    for (LayerWeights l : layers) {
      for (Matrix m :
          Arrays.asList(
              l.query(), l.key(), l.value(), l.attentionOutput(), l.gate(), l.up(), l.down())) {
        total += m == null ? 0 : m.bytes();
      }
    }
    return output == tokenEmbedding ? total : total + output.bytes();
  }

  /** Reads one block's tensors by the names and fusions its architecture declares. */
  private record BlockReader(GgufFile file, ModelConfig c, Architecture family, int layer) {
    LayerWeights read() {
      int dim = c.embeddingLength();
      int q = c.queryDim();
      int kv = c.kvDim();
      int ffn = c.feedForwardLength();
      Matrix query;
      Matrix key;
      Matrix value;
      float[] queryBias;
      float[] keyBias;
      float[] valueBias;
      if (has(BlockTensor.QKV)) {
        Matrix qkv = matrix(BlockTensor.QKV, q + 2 * kv, dim);
        query = qkv.rows(0, q);
        key = qkv.rows(q, kv);
        value = qkv.rows(q + kv, kv);
        float[] bias = vector(BlockTensor.QKV_BIAS, q + 2 * kv);
        queryBias = bias == null ? null : Arrays.copyOfRange(bias, 0, q);
        keyBias = bias == null ? null : Arrays.copyOfRange(bias, q, q + kv);
        valueBias = bias == null ? null : Arrays.copyOfRange(bias, q + kv, q + 2 * kv);
      } else {
        query = matrix(BlockTensor.QUERY, q, dim);
        key = matrix(BlockTensor.KEY, kv, dim);
        value = matrix(BlockTensor.VALUE, kv, dim);
        queryBias = vector(BlockTensor.QUERY_BIAS, q);
        keyBias = vector(BlockTensor.KEY_BIAS, kv);
        valueBias = vector(BlockTensor.VALUE_BIAS, kv);
      }
      Matrix gate;
      Matrix up;
      if (family.fusedGateUp()) {
        Matrix fused = matrix(BlockTensor.UP, 2 * ffn, dim);
        gate = fused.rows(0, ffn);
        up = fused.rows(ffn, ffn);
      } else {
        gate = matrix(BlockTensor.GATE, ffn, dim);
        up = matrix(BlockTensor.UP, ffn, dim);
      }
      return new LayerWeights(
          norm(BlockTensor.ATTENTION_NORM, BlockTensor.ATTENTION_NORM_BIAS, dim),
          query,
          key,
          value,
          queryBias,
          keyBias,
          valueBias,
          vector(BlockTensor.QUERY_NORM, c.headDim()),
          vector(BlockTensor.KEY_NORM, c.headDim()),
          matrix(BlockTensor.ATTENTION_OUTPUT, dim, q),
          vector(BlockTensor.ATTENTION_OUTPUT_BIAS, dim),
          norm(BlockTensor.POST_ATTENTION_NORM, null, dim),
          norm(BlockTensor.FEED_FORWARD_NORM, BlockTensor.FEED_FORWARD_NORM_BIAS, dim),
          gate,
          up,
          vector(BlockTensor.UP_BIAS, ffn),
          matrix(BlockTensor.DOWN, dim, ffn),
          vector(BlockTensor.DOWN_BIAS, dim),
          norm(BlockTensor.POST_FEED_FORWARD_NORM, null, dim));
    }

    /** Whether the block has {@code t}: required, or optional and in the file. */
    private boolean has(BlockTensor t) {
      Set<BlockTensor> required = family.requiredTensors();
      return required.contains(t)
          || (family.optionalTensors().contains(t) && file.tensor(t.name(layer)).isPresent());
    }

    private Matrix matrix(BlockTensor t, int rows, int cols) {
      return has(t) ? ModelWeights.matrix(file, t.name(layer), rows, cols) : null;
    }

    private float[] vector(BlockTensor t, int length) {
      return has(t) ? ModelWeights.vector(file, t.name(layer), length) : null;
    }

    private LayerWeights.Norm norm(BlockTensor weight, BlockTensor bias, int length) {
      float[] w = vector(weight, length);
      return w == null
          ? null
          : new LayerWeights.Norm(w, bias == null ? null : vector(bias, length));
    }
  }

  private static GgufTensor tensor(GgufFile file, String name) {
    return file.tensor(name)
        .orElseThrow(
            () -> new GgufFormatException(file.path(), name, 0, "tensor missing from the model"));
  }

  private static Matrix matrix(GgufFile file, String name, int rows, int cols) {
    GgufTensor t = tensor(file, name);
    long[] dims = t.dims();
    if (dims.length != 2 || dims[0] != cols || dims[1] != rows) {
      throw new GgufFormatException(
          file.path(),
          name,
          0,
          "shape "
              + Arrays.toString(dims)
              + " does not match the configuration's ["
              + cols
              + ", "
              + rows
              + "]");
    }
    WeightFormat format;
    try {
      // Finite F16 weights (every sane file) get a kernel that widens in four operations.
      format = WeightFormat.forWeights(t.type(), t.data(), (long) rows * cols);
    } catch (UnsupportedOperationException e) {
      throw new GgufFormatException(file.path(), name, 0, e.getMessage());
    }
    Optional<RearrangedFormat> faster =
        RearrangedFormat.of(t.type(), cols).filter(layout -> layout.accepts(t.data(), rows, cols));
    if (faster.isPresent()) {
      // A copied file is private memory: such rows move to the layout of a faster decode kernel.
      RearrangedFormat layout = faster.get();
      Optional<MemorySegment> moved =
          file.relocate(
              name,
              rows * layout.rowBytes(cols),
              (ggml, target) -> layout.rearrange(ggml, target, rows, cols));
      if (moved.isPresent()) {
        return new Matrix(name, layout, moved.get(), rows, cols);
      }
    }
    return new Matrix(name, format, t.data(), rows, cols);
  }

  private static float[] optionalVector(GgufFile file, String name, int length) {
    return file.tensor(name).isPresent() ? vector(file, name, length) : null;
  }

  private static float[] vector(GgufFile file, String name, int length) {
    GgufTensor t = tensor(file, name);
    if (t.elements() != length) {
      throw new GgufFormatException(
          file.path(), name, 0, "has " + t.elements() + " elements, expected " + length);
    }
    float[] out = new float[length];
    try {
      WeightFormat.of(t.type()).dequantize(t.data(), 0, out, 0, length);
    } catch (UnsupportedOperationException e) {
      throw new GgufFormatException(file.path(), name, 0, e.getMessage());
    }
    return out;
  }
}
