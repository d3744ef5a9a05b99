package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;

/**
 * What the grouped layouts of GGML's 32-weight block types share ({@link FourBitGroupedFormat}:
 * Q4_0 and Q4_1; {@link FiveBitGroupedFormat}: Q5_0 and Q5_1): a row starts with its blocks' F16
 * scales d and, for the types with minimums (Q4_1, Q5_1), then their F16 minimums m; rows qualify
 * when they hold a multiple of 128 weights; GGML's rows are rewritten one at a time, and values are
 * quantized with GGML's rounding before they are rewritten.
 */
abstract sealed class LegacyGroupedFormat implements RearrangedFormat
    permits FourBitGroupedFormat, FiveBitGroupedFormat {
  static final int BLOCK = OrderedNibbles.BLOCK;

  private final GgmlType type;

  /** Bytes of one of GGML's blocks. */
  private final int ggmlBlockBytes;

  /** Whether blocks carry a minimum m after d (Q4_1, Q5_1) instead of a fixed offset. */
  final boolean minimums;

  /** The level that stands for zero in the types without minimums: 8 (Q4_0) or 16 (Q5_0). */
  private final int zeroLevel;

  LegacyGroupedFormat(GgmlType type, int ggmlBlockBytes, boolean minimums, int zeroLevel) {
    this.type = type;
    this.ggmlBlockBytes = ggmlBlockBytes;
    this.minimums = minimums;
    this.zeroLevel = zeroLevel;
  }

  /** Whether rows of {@code cols} weights can be rearranged into these formats. */
  public static boolean supports(int cols) {
    return OrderedNibbles.fits(cols);
  }

  @Override
  public GgmlType type() {
    return type;
  }

  /** Bytes of a row's F16 scales and minimums: 2 or 4 per block. */
  final long headerBytes(int blocks) {
    return (minimums ? 4L : 2L) * blocks;
  }

  /** Where GGML's block {@code b} of a row starts in the row's bytes. */
  final int ggmlBlock(int b) {
    return b * ggmlBlockBytes;
  }

  /**
   * Copies the d (and m) of GGML's block {@code b}, its first 2 (4) bytes, to their places in the
   * grouped row; returns how many bytes they took in GGML's block.
   */
  final int copyHeader(byte[] ggml, byte[] grouped, int b, int blocks) {
    int block = ggmlBlock(b);
    grouped[2 * b] = ggml[block];
    grouped[2 * b + 1] = ggml[block + 1];
    if (!minimums) {
      return 2;
    }
    grouped[2 * blocks + 2 * b] = ggml[block + 2];
    grouped[2 * blocks + 2 * b + 1] = ggml[block + 3];
    return 4;
  }

  /** The minimum m of block {@code b} of the row at {@code row}. */
  static float minimum(MemorySegment w, long row, int blocks, int b) {
    return Bytes.half(w, row + 2L * (blocks + b));
  }

  /** One row: GGML's blocks in {@code ggml} to this layout in {@code grouped}. */
  abstract void fromGgml(byte[] ggml, byte[] grouped, int blocks);

  /** Bytes from a row's start to its nibbles. */
  abstract long nibbleStart(int blocks);

  /** Bytes from a row's start to its fifth bits, or −1 where there are none. */
  abstract long fifthBitsStart(int blocks);

  /** Weight {@code i}'s level q (0–15 or 0–31) in the row at {@code row}: the scalar reference. */
  abstract int level(MemorySegment w, long row, int blocks, int i);

  /** Decodes whole rows: {@code offset} must be a row start and {@code n} the row length. */
  @Override
  public final void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    int blocks = n / BLOCK;
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(blocks);
    for (int b = 0; b < blocks; b++) {
      work.scales[b] = Bytes.half(w, offset + 2L * b);
      // GGML's d·q + m is (q − 0)·d − (−m), bit for bit.
      work.offsets[b] = minimums ? -minimum(w, offset, blocks, b) : 0f;
    }
    long bits = fifthBitsStart(blocks);
    OrderedNibbles.decode(
        w,
        offset + nibbleStart(blocks),
        bits < 0 ? -1 : offset + bits,
        n,
        minimums ? 0 : zeroLevel,
        work.scales,
        work.offsets,
        out,
        outOffset);
  }

  @Override
  public final void dequantizeReference(
      MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    int blocks = n / BLOCK;
    for (int i = 0; i < n; i++) {
      float scale = Bytes.half(w, offset + 2L * (i / BLOCK));
      int q = level(w, offset, blocks, i);
      out[outOffset + i] =
          minimums ? q * scale + minimum(w, offset, blocks, i / BLOCK) : scale * (q - zeroLevel);
    }
  }

  @Override
  public final void rearrange(MemorySegment ggml, MemorySegment target, long rows, int cols) {
    requireSupported(cols);
    int blocks = cols / BLOCK;
    RearrangedFormat.rewriteRows(
        this, ggml, target, rows, cols, (in, out) -> fromGgml(in, out, blocks));
  }

  /** Encodes {@code values} as one row: GGML's rounding for this type, then this layout. */
  @Override
  public final byte[] quantize(float[] values) {
    requireSupported(values.length);
    byte[] ggml = WeightFormat.of(type).quantize(values);
    byte[] grouped = new byte[(int) rowBytes(values.length)];
    fromGgml(ggml, grouped, values.length / BLOCK);
    return grouped;
  }

  final void requireSupported(int n) {
    if (!supports(n)) {
      throw new IllegalArgumentException(
          "grouped " + type + " rows hold a multiple of 128 weights, not " + n);
    }
  }
}
