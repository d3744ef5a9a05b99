package dev.cromwell.engine.model;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.GgufFormatException;
import dev.cromwell.engine.gguf.GgufTensor;
import dev.cromwell.kernels.RearrangedFormat;
import dev.cromwell.kernels.WeightFormat;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * All weights of a model. Matrices are views into the file's bytes — or, for a copied file, Q4_0
 * and Q4_K matrices in a {@link RearrangedFormat} moved to memory of their own; only the small norm
 * and bias vectors are decoded into float arrays, once.
 */
public record ModelWeights(
    Matrix tokenEmbedding, List<LayerWeights> layers, float[] outputNorm, Matrix output) {

  public static ModelWeights from(GgufFile file, ModelConfig c) {
    Matrix embedding = matrix(file, "token_embd.weight", c.vocabularySize(), c.embeddingLength());
    List<LayerWeights> layers = new ArrayList<>();
    for (int i = 0; i < c.blockCount(); i++) {
      String p = "blk." + i + ".";
      layers.add(
          new LayerWeights(
              vector(file, p + "attn_norm.weight", c.embeddingLength()),
              matrix(file, p + "attn_q.weight", c.queryDim(), c.embeddingLength()),
              matrix(file, p + "attn_k.weight", c.kvDim(), c.embeddingLength()),
              matrix(file, p + "attn_v.weight", c.kvDim(), c.embeddingLength()),
              c.qkvBias() ? vector(file, p + "attn_q.bias", c.queryDim()) : null,
              c.qkvBias() ? vector(file, p + "attn_k.bias", c.kvDim()) : null,
              c.qkvBias() ? vector(file, p + "attn_v.bias", c.kvDim()) : null,
              matrix(file, p + "attn_output.weight", c.embeddingLength(), c.queryDim()),
              vector(file, p + "ffn_norm.weight", c.embeddingLength()),
              matrix(file, p + "ffn_gate.weight", c.feedForwardLength(), c.embeddingLength()),
              matrix(file, p + "ffn_up.weight", c.feedForwardLength(), c.embeddingLength()),
              matrix(file, p + "ffn_down.weight", c.embeddingLength(), c.feedForwardLength())));
    }
    float[] outputNorm = vector(file, "output_norm.weight", c.embeddingLength());
    Matrix output =
        c.tiedEmbeddings()
            ? embedding
            : matrix(file, "output.weight", c.vocabularySize(), c.embeddingLength());
    return new ModelWeights(embedding, List.copyOf(layers), outputNorm, output);
  }

  /** Total bytes of weights a forward pass reads. */
  public long bytes() {
    long total = tokenEmbedding.bytes();
    for (LayerWeights l : layers) {
      for (Matrix m :
          List.of(l.query(), l.key(), l.value(), l.attentionOutput(), l.gate(), l.up(), l.down())) {
        total += m.bytes();
      }
    }
    return output == tokenEmbedding ? total : total + output.bytes();
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
