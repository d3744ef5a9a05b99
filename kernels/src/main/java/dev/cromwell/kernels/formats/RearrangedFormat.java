package dev.cromwell.kernels.formats;

import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * A layout that GGML weights are rearranged into at load time ({@code --load copy}) because it
 * decodes faster: the same numbers in a different order. A mapped file keeps GGML's layout.
 */
public sealed interface RearrangedFormat extends WeightFormat permits RearrangedRows {

  /**
   * Writes {@code rows} rows of {@code cols} weights, read in GGML's layout of {@link #type()} from
   * {@code ggml}, into {@code target} ({@code rows × rowBytes(cols)} bytes, 64-byte aligned).
   *
   * @throws IllegalArgumentException if this format cannot hold such rows or a segment is too small
   */
  void rearrange(MemorySegment ggml, MemorySegment target, long rows, int cols);

  /**
   * {@link #rearrange} a weight at a time through a copy of each row: slow, kept as the reference
   * that {@link #rearrange} must match byte for byte (the tests compare them on real files).
   */
  void rearrangeReference(MemorySegment ggml, MemorySegment target, long rows, int cols);

  /**
   * Whether this layout's kernels compute the {@code rows} rows of {@code cols} weights in {@code
   * ggml} (GGML's layout) exactly. A kernel may assume what every sane file holds — finite block
   * scales — to save work on every row; rows that break that assumption stay in GGML's layout,
   * which decodes them as GGML does.
   */
  default boolean accepts(MemorySegment ggml, long rows, int cols) {
    return true;
  }

  /** Whether rows of {@code cols} weights can be rearranged into this format. */
  boolean holds(int cols);

  /** Through {@link #dotRows}, where the kernels live. */
  @Override
  default float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    return RowKernel.dot(this, w, offset, x, xOffset, n);
  }

  /** The decoded row ({@link #dequantizeReference}) times x, summed in order. */
  @Override
  default float dotReference(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    float[] row = new float[n];
    dequantizeReference(w, offset, row, 0, n);
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += row[i] * x[xOffset + i];
    }
    return sum;
  }

  /** The rearranged format for rows of {@code cols} weights of {@code type}, if there is one. */
  static Optional<RearrangedFormat> of(GgmlType type, int cols) {
    RearrangedFormat format =
        switch (type) {
          case Q4_0 -> FourBitGroupedFormat.Q4_0;
          case Q4_1 -> FourBitGroupedFormat.Q4_1;
          case Q5_0 -> FiveBitGroupedFormat.Q5_0;
          case Q5_1 -> FiveBitGroupedFormat.Q5_1;
          case Q4_K -> Q4_KGroupedFormat.INSTANCE;
          case Q5_K -> Q5_KGroupedFormat.INSTANCE;
          case Q6_K -> Q6_KGroupedFormat.INSTANCE;
          default -> null;
        };
    return format != null && format.holds(cols) ? Optional.of(format) : Optional.empty();
  }

  /**
   * Rewrites one row: GGML's bytes at {@code ggml[from..]}, this layout's to {@code target[at..]}.
   */
  @FunctionalInterface
  interface RowRewrite {
    void apply(MemorySegment ggml, long from, MemorySegment target, long at);
  }

  /**
   * The body of {@link #rearrange}: checks both segments' sizes, then rewrites every row with
   * {@code rewrite}, straight from {@code ggml} (the mapped file) into {@code target}, in parallel
   * ({@link #inParallel}). A row's padding is never written, so it stays zero.
   */
  static void rewriteRows(
      RearrangedFormat format,
      MemorySegment ggml,
      MemorySegment target,
      long rows,
      int cols,
      RowRewrite rewrite) {
    requireRoom(format, ggml, target, rows, cols);
    long ggmlRowBytes = WeightFormat.of(format.type()).rowBytes(cols);
    long rowBytes = format.rowBytes(cols);
    inParallel(
        rows,
        (from, to) -> {
          for (long r = from; r < to; r++) {
            rewrite.apply(ggml, r * ggmlRowBytes, target, r * rowBytes);
          }
        },
        ggml,
        target);
  }

  /** Rows {@code [from, to)} of a matrix. */
  @FunctionalInterface
  interface RowRange {
    void run(long from, long to);
  }

  /**
   * Runs {@code task} over {@code [0, rows)} in contiguous ranges on the common fork-join pool —
   * rearranging takes about a nanosecond a byte on one core, seconds for a large model — or on this
   * thread when a segment may only be used by its owner thread (a confined arena).
   */
  static void inParallel(long rows, RowRange task, MemorySegment... segments) {
    Thread other = new Thread(() -> {});
    for (MemorySegment segment : segments) {
      if (!segment.isAccessibleBy(other)) {
        task.run(0, rows);
        return;
      }
    }
    int parts = (int) Math.min(rows, 8L * Runtime.getRuntime().availableProcessors());
    IntStream.range(0, parts)
        .parallel()
        .forEach(part -> task.run(rows * part / parts, rows * (part + 1) / parts));
  }

  /** Checks that {@code ggml} holds the rows and {@code target} has room for them. */
  static void requireRoom(
      RearrangedFormat format, MemorySegment ggml, MemorySegment target, long rows, int cols) {
    long ggmlBytes = rows * WeightFormat.of(format.type()).rowBytes(cols);
    long targetBytes = rows * format.rowBytes(cols);
    if (ggml.byteSize() < ggmlBytes || target.byteSize() < targetBytes) {
      throw new IllegalArgumentException(
          rows
              + " "
              + format.type()
              + " rows of "
              + cols
              + " weights need "
              + ggmlBytes
              + " bytes, and "
              + targetBytes
              + " rearranged; got "
              + ggml.byteSize()
              + " and "
              + target.byteSize());
    }
  }
}
