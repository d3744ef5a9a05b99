package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.natives.Prefetch;
import java.lang.foreign.MemorySegment;

/**
 * One GGML weight encoding: how a row of {@code n} weights is laid out in bytes, and how to compute
 * with it.
 *
 * <p>Each implementation has a vectorized {@link #dot} and a plain scalar {@link #dotReference};
 * tests hold the first to the second. Rows are addressed by a byte offset into a (usually
 * memory-mapped) segment, so weights are never copied.
 */
public sealed interface WeightFormat
    permits F32Format, SixteenBitFormat, Q8_0Format, Q4_0Format, RearrangedFormat, BlockFormat {

  /** The GGML type this format reads. */
  GgmlType type();

  /** Dot product of the {@code n} weights at {@code offset} with {@code x[xOffset..xOffset+n)}. */
  float dot(MemorySegment weights, long offset, float[] x, int xOffset, int n);

  /**
   * {@code out[r] = dot(row r, x[0..cols))} for rows {@code [from, to)} of a matrix whose rows lie
   * {@code rowBytes} apart from {@code offset}: the decode matvec's inner loop. Formats whose rows
   * are short enough for a call per row to show override it with the kernel's loops in one method.
   */
  default void dotRows(
      MemorySegment weights,
      long offset,
      long rowBytes,
      float[] x,
      int cols,
      float[] out,
      int from,
      int to) {
    long prefetched = Prefetch.start(weights, offset + from * rowBytes);
    for (int r = from; r < to; r++) {
      prefetched = Prefetch.ahead(prefetched, weights, offset + r * rowBytes);
      out[r] = dot(weights, offset + r * rowBytes, x, 0, cols);
    }
  }

  /** Scalar reference of {@link #dot}: straightforward, obviously correct, slow. */
  float dotReference(MemorySegment weights, long offset, float[] x, int xOffset, int n);

  /** Decodes {@code n} weights at {@code offset} into {@code out[outOffset..]}. */
  void dequantize(MemorySegment weights, long offset, float[] out, int outOffset, int n);

  /**
   * Scalar reference of {@link #dequantize}, for formats whose {@code dequantize} is vectorized;
   * the same method otherwise.
   */
  default void dequantizeReference(
      MemorySegment weights, long offset, float[] out, int outOffset, int n) {
    dequantize(weights, offset, out, outOffset, n);
  }

  /** Encodes {@code values} (length a multiple of the block size) into this format's bytes. */
  byte[] quantize(float[] values);

  /** Bytes a row of {@code n} weights occupies. */
  default long rowBytes(int n) {
    long bytes = type().bytesFor(n);
    if (bytes < 0) {
      throw new IllegalArgumentException(
          "row length "
              + n
              + " is not a multiple of "
              + type()
              + "'s block size "
              + type().blockSize());
    }
    return bytes;
  }

  /**
   * The format to compute {@code count} weights of {@code type} at {@code weights} with: {@link
   * #of}, or a faster variant that this data allows (F16 without Inf or NaN: {@link
   * F16Format#forWeights}).
   *
   * @throws UnsupportedOperationException for a type no kernel computes
   */
  static WeightFormat forWeights(GgmlType type, MemorySegment weights, long count) {
    return type == GgmlType.F16 ? F16Format.forWeights(weights, count) : of(type);
  }

  /**
   * The format for a GGML type, or an exception naming the type if Cromwell cannot compute with it.
   */
  static WeightFormat of(GgmlType type) {
    return find(type)
        .orElseThrow(
            () ->
                new UnsupportedOperationException(
                    "tensor type "
                        + type
                        + " is not supported yet; supported: "
                        + TensorTypes.names(TensorTypes.computable())));
  }

  /**
   * The format for a GGML type, if the kernels compute with it: the one place that says which types
   * are supported ({@link TensorTypes} lists them from here).
   */
  static java.util.Optional<WeightFormat> find(GgmlType type) {
    WeightFormat format =
        switch (type) {
          case F32 -> F32Format.INSTANCE;
          case F16 -> F16Format.INSTANCE;
          case BF16 -> Bf16Format.INSTANCE;
          case Q8_0 -> Q8_0Format.INSTANCE;
          case Q4_0 -> Q4_0Format.INSTANCE;
          case Q4_1 -> Q4_1Format.INSTANCE;
          case Q5_0 -> Q5_0Format.INSTANCE;
          case Q5_1 -> Q5_1Format.INSTANCE;
          case Q4_K -> Q4_KFormat.INSTANCE;
          case Q5_K -> Q5_KFormat.INSTANCE;
          case Q6_K -> Q6_KFormat.INSTANCE;
          default -> null;
        };
    return java.util.Optional.ofNullable(format);
  }
}
