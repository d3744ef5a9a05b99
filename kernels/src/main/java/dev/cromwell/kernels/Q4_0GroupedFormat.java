package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0 weights rearranged at load time for decoding: the same scales and nibbles as GGML's Q4_0, in
 * an order that takes fewer instructions per weight and loads only aligned vectors.
 *
 * <p>A row of {@code n} weights (n a multiple of 128) holds first the {@code n / 32} F16 block
 * scales, zeros up to the next multiple of 64 bytes, then the nibbles of all weights in order, two
 * per byte, the even weight in the low nibble ({@link OrderedNibbles}); weight {@code w} is {@code
 * d[w / 32] × (nibble − 8)}. Rows are a multiple of 64 bytes long ({@link #rowBytes}: 0–4% more
 * than GGML's), so in 64-byte aligned memory no vector load crosses a cache line. GGML's layout
 * instead puts each scale in front of its 16 bytes and pairs weight j with weight j + 16.
 *
 * <p>Measured (docs/PERFORMANCE.md, 2 threads): 0.5B Q4_0 decode at 256-bit vectors 25.8 → 35–38
 * tokens/s, Cromwell-1.2B 10.4 → 17.4; at 512 bits, where decode waits on memory rather than on
 * instructions, 43.2 → 43.8. Unaligned (rows of GGML's size) it ran 29.9 and 41.4.
 */
public final class Q4_0GroupedFormat implements RearrangedFormat {
  public static final Q4_0GroupedFormat INSTANCE = new Q4_0GroupedFormat();

  private static final int BLOCK = OrderedNibbles.BLOCK;
  private static final int GGML_BLOCK_BYTES = Q4_0Format.BLOCK_BYTES;
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int LANES = F.length();
  private static final VectorSpecies<Short> HALVES = VectorWidth.SHORT_PER_FLOAT;
  private static final FloatVector ZEROS = FloatVector.zero(F);

  private Q4_0GroupedFormat() {}

  /** Whether rows of {@code cols} weights can be rearranged into this format. */
  public static boolean supports(int cols) {
    return OrderedNibbles.fits(cols);
  }

  @Override
  public GgmlType type() {
    return GgmlType.Q4_0;
  }

  /** Bytes from a row's start to its nibbles: the scales, padded to 64 bytes. */
  private static long nibbleStart(int blocks) {
    return (2L * blocks + 63) / 64 * 64;
  }

  /** Bytes a row of {@code n} weights occupies: scales, padding and nibbles. */
  @Override
  public long rowBytes(int n) {
    requireSupported(n);
    int blocks = n / BLOCK;
    return nibbleStart(blocks) + 16L * blocks;
  }

  @Override
  public void rearrange(MemorySegment ggml, MemorySegment target, long rows, int cols) {
    requireSupported(cols);
    int blocks = cols / BLOCK;
    RearrangedFormat.rewriteRows(
        this, ggml, target, rows, cols, (in, out) -> fromGgml(in, out, blocks));
  }

  /** One row: GGML's blocks in {@code ggml} to this layout in {@code grouped}. */
  private static void fromGgml(byte[] ggml, byte[] grouped, int blocks) {
    int nibbles = (int) nibbleStart(blocks);
    for (int b = 0; b < blocks; b++) {
      int block = b * GGML_BLOCK_BYTES;
      grouped[2 * b] = ggml[block];
      grouped[2 * b + 1] = ggml[block + 1];
      OrderedNibbles.packGgmlBlock(ggml, block + 2, grouped, nibbles + b * 16);
    }
  }

  @Override
  public void dotRows(
      MemorySegment w,
      long offset,
      long rowBytes,
      float[] x,
      int cols,
      float[] out,
      int from,
      int to) {
    requireSupported(cols);
    int blocks = cols / BLOCK;
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(x, cols);
    float[] scaledX = work.scaledX;
    float[] blockSums = work.blockSums;
    float[] offsets = work.offsets;
    float[] laneScales = work.laneScales;
    long nibbles = nibbleStart(blocks);
    for (int r = from; r < to; r++) {
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      // The F16 scales a vector at a time (a scalar loop cost 15% of decode); offsets are 8·d.
      // Lanes past the last block are zero. (A masked load instead fell back to scalar code.)
      for (int b = 0; b < blocks; b += LANES) {
        FloatVector d =
            Half.toFloatVector(
                ShortVector.fromMemorySegment(HALVES, row, 2L * b, ByteOrder.LITTLE_ENDIAN));
        d = ZEROS.blend(d, F.indexInRange(b, blocks));
        OrderedNibbles.spreadScales(d, laneScales, b);
        d.mul(8f).intoArray(offsets, b);
      }
      FloatVector low = FloatVector.zero(F);
      FloatVector high = FloatVector.zero(F);
      // One vector of nibbles holds 8 weights per lane: 8·LANES weights, LANES / 4 blocks. (This
      // loop is the same in Q4_0GroupedFormat and Q4_KGroupedFormat: see OrderedNibbles.)
      for (int v = 0; v < cols / (8 * LANES); v++) {
        IntVector q =
            IntVector.fromMemorySegment(I, row, nibbles + 4L * LANES * v, ByteOrder.LITTLE_ENDIAN);
        int xi = 8 * LANES * v;
        FloatVector p =
            ((FloatVector) q.and(0x0000000f).convert(VectorOperators.I2F, 0))
                .mul(FloatVector.fromArray(F, scaledX, xi));
        p =
            ((FloatVector) q.and(0x000000f0).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, scaledX, xi + LANES), p);
        p =
            ((FloatVector) q.and(0x00000f00).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, scaledX, xi + 2 * LANES), p);
        p =
            ((FloatVector) q.and(0x0000f000).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, scaledX, xi + 3 * LANES), p);
        FloatVector s =
            ((FloatVector) q.and(0x000f0000).convert(VectorOperators.I2F, 0))
                .mul(FloatVector.fromArray(F, scaledX, xi + 4 * LANES));
        s =
            ((FloatVector) q.and(0x00f00000).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, scaledX, xi + 5 * LANES), s);
        s =
            ((FloatVector) q.and(0x0f000000).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, scaledX, xi + 6 * LANES), s);
        // The top nibble would be negative as a signed int: shift it down instead (scale 1).
        FloatVector top =
            (FloatVector) q.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0);
        s = top.fma(FloatVector.fromArray(F, scaledX, xi + 7 * LANES), s);
        FloatVector d = FloatVector.fromArray(F, laneScales, LANES * v);
        low = p.fma(d, low);
        high = s.fma(d, high);
      }
      FloatVector offsetSum = FloatVector.zero(F);
      for (int b = 0; b < blocks; b += LANES) {
        offsetSum =
            FloatVector.fromArray(F, offsets, b)
                .fma(FloatVector.fromArray(F, blockSums, b), offsetSum);
      }
      out[r] = low.add(high).sub(offsetSum).reduceLanes(VectorOperators.ADD);
    }
  }

  /** Decodes whole rows: {@code offset} must be a row start and {@code n} the row length. */
  @Override
  public void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    int blocks = n / BLOCK;
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(blocks);
    for (int b = 0; b < blocks; b++) {
      work.scales[b] = Bytes.half(w, offset + 2L * b);
      work.offsets[b] = 0f;
    }
    OrderedNibbles.decode(
        w, offset + nibbleStart(blocks), -1, n, 8, work.scales, work.offsets, out, outOffset);
  }

  @Override
  public void dequantizeReference(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    long nibbles = offset + nibbleStart(n / BLOCK);
    for (int i = 0; i < n; i++) {
      float scale = Bytes.half(w, offset + 2L * (i / BLOCK));
      out[outOffset + i] = scale * (OrderedNibbles.nibble(w, nibbles, i) - 8);
    }
  }

  /** Encodes {@code values} as one row: GGML's Q4_0 rounding, then this layout. */
  @Override
  public byte[] quantize(float[] values) {
    requireSupported(values.length);
    byte[] ggml = Q4_0Format.INSTANCE.quantize(values);
    byte[] grouped = new byte[(int) rowBytes(values.length)];
    fromGgml(ggml, grouped, values.length / BLOCK);
    return grouped;
  }

  private static void requireSupported(int n) {
    if (!supports(n)) {
      throw new IllegalArgumentException(
          "grouped Q4_0 rows hold a multiple of 128 weights, not " + n);
    }
  }
}
