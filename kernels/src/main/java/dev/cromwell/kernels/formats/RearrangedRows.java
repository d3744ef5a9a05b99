package dev.cromwell.kernels.formats;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What every rearranged layout shares, kernels and decoding aside: its type, the row lengths it
 * holds (a multiple of 128 or of a K-quant's 256-weight super-block), rewriting GGML's rows into it
 * and quantizing through GGML's rounding. {@link GroupedFormat} (nibbles with optional fifth bits)
 * and {@link Q6_KGroupedFormat} (nibbles and 2-bit highs) extend it.
 */
abstract sealed class RearrangedRows implements RearrangedFormat
    permits GroupedFormat, Q6_KGroupedFormat {
  private final GgmlType type;

  /** Rows qualify when they hold a multiple of this many weights. */
  private final int rowMultiple;

  RearrangedRows(GgmlType type, int rowMultiple) {
    this.type = type;
    this.rowMultiple = rowMultiple;
  }

  @Override
  public final GgmlType type() {
    return type;
  }

  @Override
  public final boolean holds(int cols) {
    return cols > 0 && cols % rowMultiple == 0;
  }

  /**
   * One row of {@code cols} weights: GGML's blocks in {@code ggml} to this layout in {@code out}, a
   * weight at a time. Quantizing uses it, and it is the reference that {@link #rearrangeRow} must
   * match byte for byte (RearrangedFormatTest, RearrangedLayoutTest).
   */
  abstract void fromGgml(byte[] ggml, byte[] out, int cols);

  /**
   * {@link #fromGgml} for loading: GGML's row at {@code ggml[from..]} (the mapped file) to this
   * layout at {@code out[at..]}, eight bytes at a time ({@link GgmlWords}), with no copy of the
   * row. Writes exactly the bytes that {@link #fromGgml} writes, so padding stays as it was (zero).
   */
  abstract void rearrangeRow(MemorySegment ggml, long from, MemorySegment out, long at, int cols);

  @Override
  public final void rearrange(MemorySegment ggml, MemorySegment target, long rows, int cols) {
    requireSupported(cols);
    RearrangedFormat.rewriteRows(
        this,
        ggml,
        target,
        rows,
        cols,
        (in, from, out, at) -> rearrangeRow(in, from, out, at, cols));
  }

  @Override
  public final void rearrangeReference(
      MemorySegment ggml, MemorySegment target, long rows, int cols) {
    requireSupported(cols);
    RearrangedFormat.requireRoom(this, ggml, target, rows, cols);
    int ggmlRowBytes = (int) WeightFormat.of(type).rowBytes(cols);
    byte[] in = new byte[ggmlRowBytes];
    byte[] out = new byte[(int) rowBytes(cols)];
    for (long r = 0; r < rows; r++) {
      MemorySegment.copy(ggml, ValueLayout.JAVA_BYTE, r * ggmlRowBytes, in, 0, ggmlRowBytes);
      fromGgml(in, out, cols);
      MemorySegment.copy(out, 0, target, ValueLayout.JAVA_BYTE, r * out.length, out.length);
    }
  }

  /** Encodes {@code values} as one row: GGML's rounding for this type, then this layout. */
  @Override
  public final byte[] quantize(float[] values) {
    requireSupported(values.length);
    byte[] ggml = WeightFormat.of(type).quantize(values);
    byte[] rearranged = new byte[(int) rowBytes(values.length)];
    fromGgml(ggml, rearranged, values.length);
    return rearranged;
  }

  final void requireSupported(int n) {
    if (!holds(n)) {
      throw new IllegalArgumentException(
          "grouped " + type + " rows hold a multiple of " + rowMultiple + " weights, not " + n);
    }
  }
}
