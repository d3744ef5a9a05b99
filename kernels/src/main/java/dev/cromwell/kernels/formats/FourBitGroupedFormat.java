package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.Half;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.natives.Prefetch;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0 and Q4_1 weights rearranged at load time for decoding: the same scales, minimums and nibbles
 * as GGML's blocks, in an order that takes fewer instructions per weight and loads only aligned
 * vectors.
 *
 * <p>A row of {@code n} weights (n a multiple of 128) holds first the {@code n / 32} F16 block
 * scales d (Q4_1: then the {@code n / 32} F16 minimums m), zeros up to the next multiple of 64
 * bytes, then the nibbles of all weights in order, two per byte, the even weight in the low nibble
 * ({@link OrderedNibbles}); weight {@code w} is {@code d[w / 32] × (nibble − 8)} in Q4_0 and {@code
 * d[w / 32] × nibble + m[w / 32]} in Q4_1. Rows are a multiple of 64 bytes long ({@link #rowBytes}:
 * 0–4% more than GGML's), so in 64-byte aligned memory no vector load crosses a cache line. GGML's
 * layout instead puts each scale in front of its 16 bytes and pairs weight j with weight j + 16.
 *
 * <p>Measured (docs/PERFORMANCE.md, 2 threads): 0.5B Q4_0 decode at 256-bit vectors 25.8 → 35–38
 * tokens/s, Cromwell-1.2B 10.4 → 17.4; at 512 bits, where decode waits on memory rather than on
 * instructions, 43.2 → 43.8. Unaligned (rows of GGML's size) it ran 29.9 and 41.4.
 */
final class FourBitGroupedFormat extends GroupedFormat {
  /** Q4_0: weight = d·(q − 8). */
  public static final FourBitGroupedFormat Q4_0 =
      new FourBitGroupedFormat(GgmlType.Q4_0, Q4_0Format.BLOCK_BYTES);

  /** Q4_1: weight = d·q + m. */
  public static final FourBitGroupedFormat Q4_1 = new FourBitGroupedFormat(GgmlType.Q4_1, 20);

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int LANES = F.length();
  private static final VectorSpecies<Short> HALVES = VectorWidth.SHORT_PER_FLOAT;
  private static final FloatVector ZEROS = FloatVector.zero(F);
  private static final VectorOperators.Conversion<Integer, Float> I2F = VectorOperators.I2F;

  private final LegacyHeader header;

  /** Whether blocks carry a minimum (Q4_1): the kernel's per-block offset is then −m, not 8·d. */
  private final boolean minimums;

  private FourBitGroupedFormat(GgmlType type, int ggmlBlockBytes) {
    boolean minimums = type == GgmlType.Q4_1;
    super(type, 128, minimums ? 0 : 8);
    this.header = new LegacyHeader(ggmlBlockBytes, minimums);
    this.minimums = minimums;
  }

  /** Bytes from a row's start to its nibbles: the scales (and minimums), padded to 64 bytes. */
  private long nibbleStart(int blocks) {
    return (header.bytes(blocks) + 63) / 64 * 64;
  }

  @Override
  long nibblesAt(int cols) {
    return nibbleStart(cols / BLOCK);
  }

  @Override
  long fifthBitsAt(int cols) {
    return -1;
  }

  @Override
  void blockScales(MemorySegment w, long row, int cols, float[] scales, float[] offsets) {
    header.blockScales(w, row, cols / BLOCK, scales, offsets);
  }

  /** Bytes a row of {@code n} weights occupies: scales, padding and nibbles. */
  @Override
  public long rowBytes(int n) {
    requireSupported(n);
    int blocks = n / BLOCK;
    return nibbleStart(blocks) + 16L * blocks;
  }

  @Override
  void fromGgml(byte[] ggml, byte[] grouped, int cols) {
    int blocks = cols / BLOCK;
    int nibbles = (int) nibbleStart(blocks);
    for (int b = 0; b < blocks; b++) {
      // GGML's block: d, then m (Q4_1), then the nibbles.
      int rest = header.copy(ggml, grouped, b, blocks);
      OrderedNibbles.packGgmlBlock(ggml, rest, grouped, nibbles + b * 16);
    }
  }

  @Override
  void rearrangeRow(MemorySegment ggml, long from, MemorySegment out, long at, int cols) {
    int blocks = cols / BLOCK;
    long nibbles = at + nibbleStart(blocks);
    for (int b = 0; b < blocks; b++) {
      long rest = header.copy(ggml, from, out, at, b, blocks);
      // Weights 0–15 are the low nibbles of GGML's 16 bytes, weights 16–31 the high ones.
      GgmlWords.packNibbles(ggml, rest, false, out, nibbles + 16L * b);
      GgmlWords.packNibbles(ggml, rest, true, out, nibbles + 16L * b + 8);
    }
  }

  /**
   * Whether every block scale d is finite: the kernel widens d with {@link
   * Half#finiteToFloatVector}, four operations instead of ten (0.5B Q4_0 decode 2–5% faster), and
   * reads lanes past a row's last block without masking them, which only finite garbage allows.
   */
  @Override
  public boolean accepts(MemorySegment ggml, long rows, int cols) {
    requireSupported(cols);
    int blockBytes = header.ggmlBlockBytes();
    long blocks = rows * (cols / BLOCK);
    for (long b = 0; b < blocks; b++) {
      if (!Float.isFinite(Bytes.half(ggml, b * blockBytes))) {
        return false;
      }
    }
    return true;
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
    MemorySegment xs = work.alignedX.asSlice(0, 4L * cols);
    float[] blockSums = work.blockSums;
    float[] offsets = work.offsets;
    float[] scalesA = work.laneScales;
    float[] scalesB = work.secondLaneScales();
    long nibbles = nibbleStart(blocks);
    long prefetched = Prefetch.start(w, offset + from * rowBytes);
    // Two rows at a time: each x vector loaded once for both, half the loop overhead per row (L2,
    // one thread, 896-weight rows: 9.0 → 11.3 GB/s; 0.5B Q4_0 tg64 52.5 → 56.5 tokens/s). An odd
    // last row is paired with itself.
    for (int r = from; r < to; r += 2) {
      int rb = Math.min(r + 1, to - 1);
      prefetched = Prefetch.ahead(prefetched, w, offset + rb * rowBytes);
      MemorySegment rowA = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      MemorySegment rowB = w.asSlice(offset + rb * rowBytes, nibbles + cols / 2);
      // The F16 scales a vector at a time (a scalar loop cost 15% of decode), spread to the lanes
      // they scale. The offsets (8·d, or −m) are summed against the blocks' Σx right here (in a
      // pass of their own they cost 5%). Lanes past a row's last block read finite garbage (the
      // scales are finite: accepts), which the zero block sums there cancel.
      FloatVector offsetA = FloatVector.zero(F);
      FloatVector offsetB = FloatVector.zero(F);
      for (int b = 0; b < blocks; b += LANES) {
        FloatVector sums = FloatVector.fromArray(F, blockSums, b);
        FloatVector dA =
            Half.finiteToFloatVector(
                ShortVector.fromMemorySegment(HALVES, rowA, 2L * b, ByteOrder.LITTLE_ENDIAN));
        FloatVector dB =
            Half.finiteToFloatVector(
                ShortVector.fromMemorySegment(HALVES, rowB, 2L * b, ByteOrder.LITTLE_ENDIAN));
        OrderedNibbles.spreadScales(dA, scalesA, b);
        OrderedNibbles.spreadScales(dB, scalesB, b);
        if (minimums) {
          minimumOffsets(rowA, blocks, b, offsets);
          offsetA = FloatVector.fromArray(F, offsets, b).fma(sums, offsetA);
          minimumOffsets(rowB, blocks, b, offsets);
          offsetB = FloatVector.fromArray(F, offsets, b).fma(sums, offsetB);
        } else {
          offsetA = dA.mul(8f).fma(sums, offsetA);
          offsetB = dB.mul(8f).fma(sums, offsetB);
        }
      }
      FloatVector accA = FloatVector.zero(F);
      FloatVector accB = FloatVector.zero(F);
      // One vector of nibbles holds 8 weights per lane: 8·LANES weights, LANES / 4 blocks.
      for (int v = 0; v < cols / (8 * LANES); v++) {
        long at = nibbles + 4L * LANES * v;
        IntVector qa = IntVector.fromMemorySegment(I, rowA, at, ByteOrder.LITTLE_ENDIAN);
        IntVector qb = IntVector.fromMemorySegment(I, rowB, at, ByteOrder.LITTLE_ENDIAN);
        int xi = 8 * LANES * v;
        FloatVector xv = FloatVector.fromMemorySegment(F, xs, 4L * xi, ByteOrder.LITTLE_ENDIAN);
        FloatVector pa = ((FloatVector) qa.and(0x0000000f).convert(I2F, 0)).mul(xv);
        FloatVector pb = ((FloatVector) qb.and(0x0000000f).convert(I2F, 0)).mul(xv);
        xv = FloatVector.fromMemorySegment(F, xs, 4L * (xi + LANES), ByteOrder.LITTLE_ENDIAN);
        pa = ((FloatVector) qa.and(0x000000f0).convert(I2F, 0)).fma(xv, pa);
        pb = ((FloatVector) qb.and(0x000000f0).convert(I2F, 0)).fma(xv, pb);
        xv = FloatVector.fromMemorySegment(F, xs, 4L * (xi + 2 * LANES), ByteOrder.LITTLE_ENDIAN);
        pa = ((FloatVector) qa.and(0x00000f00).convert(I2F, 0)).fma(xv, pa);
        pb = ((FloatVector) qb.and(0x00000f00).convert(I2F, 0)).fma(xv, pb);
        xv = FloatVector.fromMemorySegment(F, xs, 4L * (xi + 3 * LANES), ByteOrder.LITTLE_ENDIAN);
        pa = ((FloatVector) qa.and(0x0000f000).convert(I2F, 0)).fma(xv, pa);
        pb = ((FloatVector) qb.and(0x0000f000).convert(I2F, 0)).fma(xv, pb);
        xv = FloatVector.fromMemorySegment(F, xs, 4L * (xi + 4 * LANES), ByteOrder.LITTLE_ENDIAN);
        pa = ((FloatVector) qa.and(0x000f0000).convert(I2F, 0)).fma(xv, pa);
        pb = ((FloatVector) qb.and(0x000f0000).convert(I2F, 0)).fma(xv, pb);
        xv = FloatVector.fromMemorySegment(F, xs, 4L * (xi + 5 * LANES), ByteOrder.LITTLE_ENDIAN);
        pa = ((FloatVector) qa.and(0x00f00000).convert(I2F, 0)).fma(xv, pa);
        pb = ((FloatVector) qb.and(0x00f00000).convert(I2F, 0)).fma(xv, pb);
        xv = FloatVector.fromMemorySegment(F, xs, 4L * (xi + 6 * LANES), ByteOrder.LITTLE_ENDIAN);
        pa = ((FloatVector) qa.and(0x0f000000).convert(I2F, 0)).fma(xv, pa);
        pb = ((FloatVector) qb.and(0x0f000000).convert(I2F, 0)).fma(xv, pb);
        // The top nibble would be negative as a signed int: shift it down instead (scale 1).
        xv = FloatVector.fromMemorySegment(F, xs, 4L * (xi + 7 * LANES), ByteOrder.LITTLE_ENDIAN);
        pa = ((FloatVector) qa.lanewise(VectorOperators.LSHR, 28).convert(I2F, 0)).fma(xv, pa);
        pb = ((FloatVector) qb.lanewise(VectorOperators.LSHR, 28).convert(I2F, 0)).fma(xv, pb);
        accA = pa.fma(FloatVector.fromArray(F, scalesA, LANES * v), accA);
        accB = pb.fma(FloatVector.fromArray(F, scalesB, LANES * v), accB);
      }
      out[r] = accA.sub(offsetA).reduceLanes(VectorOperators.ADD);
      out[rb] = accB.sub(offsetB).reduceLanes(VectorOperators.ADD);
    }
  }

  /**
   * Q4_1's offsets −m for blocks {@code b .. b + LANES} (zero past the last block): what the row's
   * sum subtracts per unit of Σx. Apart from the kernel so that its loop stays within what C2
   * inlines.
   */
  private static void minimumOffsets(MemorySegment row, int blocks, int b, float[] offsets) {
    FloatVector m =
        Half.toFloatVector(
            ShortVector.fromMemorySegment(HALVES, row, 2L * (blocks + b), ByteOrder.LITTLE_ENDIAN));
    ZEROS.blend(m.neg(), F.indexInRange(b, blocks)).intoArray(offsets, b);
  }
}
