package dev.cromwell.kernels.formats;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What every grouped layout shares, all but its decode kernel: a row's header (scales, minimums)
 * padded, then (5-bit types) one byte of fifth bits per eight weights, then the nibbles in weight
 * order ({@link OrderedNibbles}). Weight i of block b is {@code (q − zeroLevel)·scale[b] −
 * offset[b]}, with q its nibble plus 16 times its fifth bit; each layout says where its parts start
 * and how its header gives {@code scale} and {@code offset} ({@link #blockScales}), and the
 * decoding for prefill and its scalar reference are written once here (rearranging and quantizing
 * in {@link RearrangedRows}). Each kernel ({@code dotRows}) stays in its class: shared, they
 * measured slower (C2 compiles a shared loop apart from the row loop).
 */
abstract sealed class GroupedFormat extends RearrangedRows
    permits FourBitGroupedFormat, FiveBitGroupedFormat, Q4_KGroupedFormat, Q5_KGroupedFormat {
  static final int BLOCK = OrderedNibbles.BLOCK;

  /** The level that stands for zero: 8 (Q4_0), 16 (Q5_0), 0 for the types with minimums. */
  private final int zeroLevel;

  GroupedFormat(GgmlType type, int rowMultiple, int zeroLevel) {
    super(type, rowMultiple);
    this.zeroLevel = zeroLevel;
  }

  /** Bytes from the start of a row of {@code cols} weights to its nibbles. */
  abstract long nibblesAt(int cols);

  /** Bytes from the start of a row of {@code cols} weights to its fifth bits; −1 where none. */
  abstract long fifthBitsAt(int cols);

  /**
   * Every block's {@code scale} and {@code offset} of the row of {@code cols} weights at {@code
   * row}, computed as GGML's scalar formulas compute them.
   */
  abstract void blockScales(MemorySegment w, long row, int cols, float[] scales, float[] offsets);

  /** Decodes whole rows: {@code offset} must be a row start and {@code n} the row length. */
  @Override
  public final void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(n / BLOCK);
    blockScales(w, offset, n, work.scales, work.offsets);
    long bits = fifthBitsAt(n);
    OrderedNibbles.decode(
        w,
        offset + nibblesAt(n),
        bits < 0 ? -1 : offset + bits,
        n,
        zeroLevel,
        work.scales,
        work.offsets,
        out,
        outOffset);
  }

  /** One weight at a time, in the same order of operations as GGML's formulas. */
  @Override
  public final void dequantizeReference(
      MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    float[] scales = new float[n / BLOCK];
    float[] offsets = new float[n / BLOCK];
    blockScales(w, offset, n, scales, offsets);
    long nibbles = offset + nibblesAt(n);
    long bits = fifthBitsAt(n);
    for (int i = 0; i < n; i++) {
      int q = OrderedNibbles.nibble(w, nibbles, i);
      if (bits >= 0) {
        int packed = w.get(ValueLayout.JAVA_BYTE, offset + bits + i / 8);
        q |= ((packed >>> OrderedNibbles.fifthBitShift(i % 8)) & 1) << 4;
      }
      out[outOffset + i] = (q - zeroLevel) * scales[i / BLOCK] - offsets[i / BLOCK];
    }
  }
}
