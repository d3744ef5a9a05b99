package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Half;
import dev.cromwell.kernels.VectorWidth;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A block-quantized format whose blocks are decoded one at a time into a small float buffer that
 * stays in L1, then multiplied with the activations by a vectorized FMA loop. Subclasses define the
 * block layout ({@link #decodeBlock}) and an encoder; the dot product, its scalar reference and row
 * decoding come from here.
 */
abstract sealed class BlockFormat implements WeightFormat
    permits Q4_1Format, Q5_0Format, Q5_1Format, Q4_KFormat, Q5_KFormat, Q6_KFormat {
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[256]);

  /** Weights per block. */
  final int blockSize() {
    return type().blockSize();
  }

  /** Bytes per block. */
  final int blockBytes() {
    return type().blockBytes();
  }

  /** Decodes the block at {@code offset} into {@code out[0..blockSize)}. */
  abstract void decodeBlock(MemorySegment w, long offset, float[] out);

  /** Encodes one block of {@code values[from..from+blockSize)} into {@code out[at..]}. */
  abstract void encodeBlock(float[] values, int from, byte[] out, int at);

  /** Generic vectorized dot; formats with a faster layout-specific kernel override it. */
  @Override
  public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    float[] block = SCRATCH.get();
    int size = blockSize();
    int lanes = F.length();
    FloatVector acc = FloatVector.zero(F);
    long at = offset;
    for (int b = 0; b < n / size; b++, at += blockBytes()) {
      decodeBlock(w, at, block);
      int base = xOffset + b * size;
      for (int j = 0; j < size; j += lanes) {
        acc = FloatVector.fromArray(F, block, j).fma(FloatVector.fromArray(F, x, base + j), acc);
      }
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  @Override
  public final float dotReference(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    float[] block = new float[blockSize()];
    float sum = 0f;
    for (int b = 0; b < n / blockSize(); b++) {
      decodeBlock(w, offset + (long) b * blockBytes(), block);
      for (int j = 0; j < block.length; j++) {
        sum += block[j] * x[xOffset + b * blockSize() + j];
      }
    }
    return sum;
  }

  /** Decodes block by block with {@link #decodeBlock}; formats used in prefill vectorize it. */
  @Override
  public void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    dequantizeReference(w, offset, out, outOffset, n);
  }

  @Override
  public final void dequantizeReference(
      MemorySegment w, long offset, float[] out, int outOffset, int n) {
    float[] block = new float[blockSize()];
    for (int b = 0; b < n / blockSize(); b++) {
      decodeBlock(w, offset + (long) b * blockBytes(), block);
      System.arraycopy(block, 0, out, outOffset + b * blockSize(), blockSize());
    }
  }

  @Override
  public final byte[] quantize(float[] values) {
    if (values.length % blockSize() != 0) {
      throw new IllegalArgumentException(
          "length "
              + values.length
              + " is not a multiple of "
              + type()
              + "'s block size "
              + blockSize());
    }
    byte[] out = new byte[values.length / blockSize() * blockBytes()];
    for (int b = 0; b < values.length / blockSize(); b++) {
      encodeBlock(values, b * blockSize(), out, b * blockBytes());
    }
    return out;
  }

  static int u8(MemorySegment w, long at) {
    return w.get(ValueLayout.JAVA_BYTE, at) & 0xff;
  }

  static void putHalf(byte[] out, int at, float value) {
    short h = Half.fromFloat(value);
    out[at] = (byte) h;
    out[at + 1] = (byte) (h >> 8);
  }

  /** {min, max} of {@code values[from..from+n)}. */
  static float[] range(float[] values, int from, int n) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      min = Math.min(min, values[from + j]);
      max = Math.max(max, values[from + j]);
    }
    return new float[] {min, max};
  }

  /** Nearest integer, clamped to {@code [lo, hi]}. */
  static int clampRound(float v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, Math.round(v)));
  }
}
