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

  @Override
  public boolean hasMultiRowKernel() {
    return true;
  }

  @Override
  public void prepareBatch(BatchRows rows) {
    rows.needPlaceX();
    rows.needBlockSums();
  }

  /**
   * {@link #dotRows} for up to four activation rows per pass over a weight row: the scales are
   * decoded and the nibbles converted once, then each activation row does {@link #dotRows}'s
   * multiplications in its order (the same bits). More rows take further passes over the weight
   * row, which is then in L1.
   */
  @Override
  public void dotRowsBatch(
      MemorySegment w,
      long offset,
      long rowBytes,
      BatchRows rows,
      float[][] outs,
      int from,
      int to) {
    int cols = rows.cols();
    requireSupported(cols);
    int blocks = cols / BLOCK;
    int count = rows.count();
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(blocks).zeroTails(cols);
    float[] offsets = work.offsets;
    float[] laneScales = work.laneScales;
    float[] offsetSums = MultiRows.offsetSums();
    long nibbles = nibbleStart(blocks);
    long prefetched = Prefetch.start(w, offset + from * rowBytes);
    for (int r = from; r < to; r++) {
      prefetched = Prefetch.ahead(prefetched, w, offset + r * rowBytes);
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      // dotRows' scales and offsets (8·d or −m; finite, see accepts), once for every activation
      // row.
      for (int b = 0; b < blocks; b += LANES) {
        FloatVector d =
            Half.finiteToFloatVector(
                ShortVector.fromMemorySegment(HALVES, row, 2L * b, ByteOrder.LITTLE_ENDIAN));
        OrderedNibbles.spreadScales(d, laneScales, b);
        if (minimums) {
          minimumOffsets(row, blocks, b, offsets);
        } else {
          d.mul(8f).intoArray(offsets, b);
        }
      }
      for (int t = 0; t < count; t += MultiRows.ROWS) {
        // Rows past the last repeat it (same sums into the same place). Two loops rather
        // than one with the second four under a condition: vectors that live across a branch
        // were boxed (a step ten times slower).
        if (count - t > 4) {
          int t1 = Math.min(t + 1, count - 1);
          int t2 = Math.min(t + 2, count - 1);
          int t3 = Math.min(t + 3, count - 1);
          int t4 = Math.min(t + 4, count - 1);
          int t5 = Math.min(t + 5, count - 1);
          int t6 = Math.min(t + 6, count - 1);
          int t7 = Math.min(t + 7, count - 1);
          float[] x0 = rows.placeX(t);
          float[] x1 = rows.placeX(t1);
          float[] x2 = rows.placeX(t2);
          float[] x3 = rows.placeX(t3);
          float[] x4 = rows.placeX(t4);
          float[] x5 = rows.placeX(t5);
          float[] x6 = rows.placeX(t6);
          float[] x7 = rows.placeX(t7);
          FloatVector acc0 = FloatVector.zero(F);
          FloatVector acc1 = FloatVector.zero(F);
          FloatVector acc2 = FloatVector.zero(F);
          FloatVector acc3 = FloatVector.zero(F);
          FloatVector acc4 = FloatVector.zero(F);
          FloatVector acc5 = FloatVector.zero(F);
          FloatVector acc6 = FloatVector.zero(F);
          FloatVector acc7 = FloatVector.zero(F);
          for (int v = 0; v < cols / (8 * LANES); v++) {
            IntVector q =
                IntVector.fromMemorySegment(
                    I, row, nibbles + 4L * LANES * v, ByteOrder.LITTLE_ENDIAN);
            FloatVector n0 = (FloatVector) q.and(0x0000000f).convert(I2F, 0);
            FloatVector n1 = (FloatVector) q.and(0x000000f0).convert(I2F, 0);
            FloatVector n2 = (FloatVector) q.and(0x00000f00).convert(I2F, 0);
            FloatVector n3 = (FloatVector) q.and(0x0000f000).convert(I2F, 0);
            FloatVector n4 = (FloatVector) q.and(0x000f0000).convert(I2F, 0);
            FloatVector n5 = (FloatVector) q.and(0x00f00000).convert(I2F, 0);
            FloatVector n6 = (FloatVector) q.and(0x0f000000).convert(I2F, 0);
            // The top nibble would be negative as a signed int: shifted down instead (scale 1).
            FloatVector n7 = (FloatVector) q.lanewise(VectorOperators.LSHR, 28).convert(I2F, 0);
            FloatVector d = FloatVector.fromArray(F, laneScales, LANES * v);
            int xi = 8 * LANES * v;
            int xh = xi + 4 * LANES;
            FloatVector pAcc0 = n0.mul(FloatVector.fromArray(F, x0, xi));
            pAcc0 = n1.fma(FloatVector.fromArray(F, x0, xi + LANES), pAcc0);
            pAcc0 = n2.fma(FloatVector.fromArray(F, x0, xi + 2 * LANES), pAcc0);
            pAcc0 = n3.fma(FloatVector.fromArray(F, x0, xi + 3 * LANES), pAcc0);
            pAcc0 = n4.fma(FloatVector.fromArray(F, x0, xh), pAcc0);
            pAcc0 = n5.fma(FloatVector.fromArray(F, x0, xh + LANES), pAcc0);
            pAcc0 = n6.fma(FloatVector.fromArray(F, x0, xh + 2 * LANES), pAcc0);
            pAcc0 = n7.fma(FloatVector.fromArray(F, x0, xh + 3 * LANES), pAcc0);
            acc0 = pAcc0.fma(d, acc0);
            FloatVector pAcc1 = n0.mul(FloatVector.fromArray(F, x1, xi));
            pAcc1 = n1.fma(FloatVector.fromArray(F, x1, xi + LANES), pAcc1);
            pAcc1 = n2.fma(FloatVector.fromArray(F, x1, xi + 2 * LANES), pAcc1);
            pAcc1 = n3.fma(FloatVector.fromArray(F, x1, xi + 3 * LANES), pAcc1);
            pAcc1 = n4.fma(FloatVector.fromArray(F, x1, xh), pAcc1);
            pAcc1 = n5.fma(FloatVector.fromArray(F, x1, xh + LANES), pAcc1);
            pAcc1 = n6.fma(FloatVector.fromArray(F, x1, xh + 2 * LANES), pAcc1);
            pAcc1 = n7.fma(FloatVector.fromArray(F, x1, xh + 3 * LANES), pAcc1);
            acc1 = pAcc1.fma(d, acc1);
            FloatVector pAcc2 = n0.mul(FloatVector.fromArray(F, x2, xi));
            pAcc2 = n1.fma(FloatVector.fromArray(F, x2, xi + LANES), pAcc2);
            pAcc2 = n2.fma(FloatVector.fromArray(F, x2, xi + 2 * LANES), pAcc2);
            pAcc2 = n3.fma(FloatVector.fromArray(F, x2, xi + 3 * LANES), pAcc2);
            pAcc2 = n4.fma(FloatVector.fromArray(F, x2, xh), pAcc2);
            pAcc2 = n5.fma(FloatVector.fromArray(F, x2, xh + LANES), pAcc2);
            pAcc2 = n6.fma(FloatVector.fromArray(F, x2, xh + 2 * LANES), pAcc2);
            pAcc2 = n7.fma(FloatVector.fromArray(F, x2, xh + 3 * LANES), pAcc2);
            acc2 = pAcc2.fma(d, acc2);
            FloatVector pAcc3 = n0.mul(FloatVector.fromArray(F, x3, xi));
            pAcc3 = n1.fma(FloatVector.fromArray(F, x3, xi + LANES), pAcc3);
            pAcc3 = n2.fma(FloatVector.fromArray(F, x3, xi + 2 * LANES), pAcc3);
            pAcc3 = n3.fma(FloatVector.fromArray(F, x3, xi + 3 * LANES), pAcc3);
            pAcc3 = n4.fma(FloatVector.fromArray(F, x3, xh), pAcc3);
            pAcc3 = n5.fma(FloatVector.fromArray(F, x3, xh + LANES), pAcc3);
            pAcc3 = n6.fma(FloatVector.fromArray(F, x3, xh + 2 * LANES), pAcc3);
            pAcc3 = n7.fma(FloatVector.fromArray(F, x3, xh + 3 * LANES), pAcc3);
            acc3 = pAcc3.fma(d, acc3);
            FloatVector pAcc4 = n0.mul(FloatVector.fromArray(F, x4, xi));
            pAcc4 = n1.fma(FloatVector.fromArray(F, x4, xi + LANES), pAcc4);
            pAcc4 = n2.fma(FloatVector.fromArray(F, x4, xi + 2 * LANES), pAcc4);
            pAcc4 = n3.fma(FloatVector.fromArray(F, x4, xi + 3 * LANES), pAcc4);
            pAcc4 = n4.fma(FloatVector.fromArray(F, x4, xh), pAcc4);
            pAcc4 = n5.fma(FloatVector.fromArray(F, x4, xh + LANES), pAcc4);
            pAcc4 = n6.fma(FloatVector.fromArray(F, x4, xh + 2 * LANES), pAcc4);
            pAcc4 = n7.fma(FloatVector.fromArray(F, x4, xh + 3 * LANES), pAcc4);
            acc4 = pAcc4.fma(d, acc4);
            FloatVector pAcc5 = n0.mul(FloatVector.fromArray(F, x5, xi));
            pAcc5 = n1.fma(FloatVector.fromArray(F, x5, xi + LANES), pAcc5);
            pAcc5 = n2.fma(FloatVector.fromArray(F, x5, xi + 2 * LANES), pAcc5);
            pAcc5 = n3.fma(FloatVector.fromArray(F, x5, xi + 3 * LANES), pAcc5);
            pAcc5 = n4.fma(FloatVector.fromArray(F, x5, xh), pAcc5);
            pAcc5 = n5.fma(FloatVector.fromArray(F, x5, xh + LANES), pAcc5);
            pAcc5 = n6.fma(FloatVector.fromArray(F, x5, xh + 2 * LANES), pAcc5);
            pAcc5 = n7.fma(FloatVector.fromArray(F, x5, xh + 3 * LANES), pAcc5);
            acc5 = pAcc5.fma(d, acc5);
            FloatVector pAcc6 = n0.mul(FloatVector.fromArray(F, x6, xi));
            pAcc6 = n1.fma(FloatVector.fromArray(F, x6, xi + LANES), pAcc6);
            pAcc6 = n2.fma(FloatVector.fromArray(F, x6, xi + 2 * LANES), pAcc6);
            pAcc6 = n3.fma(FloatVector.fromArray(F, x6, xi + 3 * LANES), pAcc6);
            pAcc6 = n4.fma(FloatVector.fromArray(F, x6, xh), pAcc6);
            pAcc6 = n5.fma(FloatVector.fromArray(F, x6, xh + LANES), pAcc6);
            pAcc6 = n6.fma(FloatVector.fromArray(F, x6, xh + 2 * LANES), pAcc6);
            pAcc6 = n7.fma(FloatVector.fromArray(F, x6, xh + 3 * LANES), pAcc6);
            acc6 = pAcc6.fma(d, acc6);
            FloatVector pAcc7 = n0.mul(FloatVector.fromArray(F, x7, xi));
            pAcc7 = n1.fma(FloatVector.fromArray(F, x7, xi + LANES), pAcc7);
            pAcc7 = n2.fma(FloatVector.fromArray(F, x7, xi + 2 * LANES), pAcc7);
            pAcc7 = n3.fma(FloatVector.fromArray(F, x7, xi + 3 * LANES), pAcc7);
            pAcc7 = n4.fma(FloatVector.fromArray(F, x7, xh), pAcc7);
            pAcc7 = n5.fma(FloatVector.fromArray(F, x7, xh + LANES), pAcc7);
            pAcc7 = n6.fma(FloatVector.fromArray(F, x7, xh + 2 * LANES), pAcc7);
            pAcc7 = n7.fma(FloatVector.fromArray(F, x7, xh + 3 * LANES), pAcc7);
            acc7 = pAcc7.fma(d, acc7);
          }
          // Σ_b offset_b·Σx_b of each activation row, as dotRows sums it.
          MultiRows.offsetSum(offsets, rows.blockSums(t), blocks, offsetSums, 0);
          MultiRows.offsetSum(offsets, rows.blockSums(t1), blocks, offsetSums, 1);
          MultiRows.offsetSum(offsets, rows.blockSums(t2), blocks, offsetSums, 2);
          MultiRows.offsetSum(offsets, rows.blockSums(t3), blocks, offsetSums, 3);
          outs[t][r] =
              acc0.sub(FloatVector.fromArray(F, offsetSums, 0 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t1][r] =
              acc1.sub(FloatVector.fromArray(F, offsetSums, 1 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t2][r] =
              acc2.sub(FloatVector.fromArray(F, offsetSums, 2 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t3][r] =
              acc3.sub(FloatVector.fromArray(F, offsetSums, 3 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          MultiRows.offsetSum(offsets, rows.blockSums(t4), blocks, offsetSums, 4);
          MultiRows.offsetSum(offsets, rows.blockSums(t5), blocks, offsetSums, 5);
          MultiRows.offsetSum(offsets, rows.blockSums(t6), blocks, offsetSums, 6);
          MultiRows.offsetSum(offsets, rows.blockSums(t7), blocks, offsetSums, 7);
          outs[t4][r] =
              acc4.sub(FloatVector.fromArray(F, offsetSums, 4 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t5][r] =
              acc5.sub(FloatVector.fromArray(F, offsetSums, 5 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t6][r] =
              acc6.sub(FloatVector.fromArray(F, offsetSums, 6 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t7][r] =
              acc7.sub(FloatVector.fromArray(F, offsetSums, 7 * LANES))
                  .reduceLanes(VectorOperators.ADD);
        } else {
          int t1 = Math.min(t + 1, count - 1);
          int t2 = Math.min(t + 2, count - 1);
          int t3 = Math.min(t + 3, count - 1);
          float[] x0 = rows.placeX(t);
          float[] x1 = rows.placeX(t1);
          float[] x2 = rows.placeX(t2);
          float[] x3 = rows.placeX(t3);
          FloatVector acc0 = FloatVector.zero(F);
          FloatVector acc1 = FloatVector.zero(F);
          FloatVector acc2 = FloatVector.zero(F);
          FloatVector acc3 = FloatVector.zero(F);
          for (int v = 0; v < cols / (8 * LANES); v++) {
            IntVector q =
                IntVector.fromMemorySegment(
                    I, row, nibbles + 4L * LANES * v, ByteOrder.LITTLE_ENDIAN);
            FloatVector n0 = (FloatVector) q.and(0x0000000f).convert(I2F, 0);
            FloatVector n1 = (FloatVector) q.and(0x000000f0).convert(I2F, 0);
            FloatVector n2 = (FloatVector) q.and(0x00000f00).convert(I2F, 0);
            FloatVector n3 = (FloatVector) q.and(0x0000f000).convert(I2F, 0);
            FloatVector n4 = (FloatVector) q.and(0x000f0000).convert(I2F, 0);
            FloatVector n5 = (FloatVector) q.and(0x00f00000).convert(I2F, 0);
            FloatVector n6 = (FloatVector) q.and(0x0f000000).convert(I2F, 0);
            // The top nibble would be negative as a signed int: shifted down instead (scale 1).
            FloatVector n7 = (FloatVector) q.lanewise(VectorOperators.LSHR, 28).convert(I2F, 0);
            FloatVector d = FloatVector.fromArray(F, laneScales, LANES * v);
            int xi = 8 * LANES * v;
            int xh = xi + 4 * LANES;
            FloatVector pAcc0 = n0.mul(FloatVector.fromArray(F, x0, xi));
            pAcc0 = n1.fma(FloatVector.fromArray(F, x0, xi + LANES), pAcc0);
            pAcc0 = n2.fma(FloatVector.fromArray(F, x0, xi + 2 * LANES), pAcc0);
            pAcc0 = n3.fma(FloatVector.fromArray(F, x0, xi + 3 * LANES), pAcc0);
            pAcc0 = n4.fma(FloatVector.fromArray(F, x0, xh), pAcc0);
            pAcc0 = n5.fma(FloatVector.fromArray(F, x0, xh + LANES), pAcc0);
            pAcc0 = n6.fma(FloatVector.fromArray(F, x0, xh + 2 * LANES), pAcc0);
            pAcc0 = n7.fma(FloatVector.fromArray(F, x0, xh + 3 * LANES), pAcc0);
            acc0 = pAcc0.fma(d, acc0);
            FloatVector pAcc1 = n0.mul(FloatVector.fromArray(F, x1, xi));
            pAcc1 = n1.fma(FloatVector.fromArray(F, x1, xi + LANES), pAcc1);
            pAcc1 = n2.fma(FloatVector.fromArray(F, x1, xi + 2 * LANES), pAcc1);
            pAcc1 = n3.fma(FloatVector.fromArray(F, x1, xi + 3 * LANES), pAcc1);
            pAcc1 = n4.fma(FloatVector.fromArray(F, x1, xh), pAcc1);
            pAcc1 = n5.fma(FloatVector.fromArray(F, x1, xh + LANES), pAcc1);
            pAcc1 = n6.fma(FloatVector.fromArray(F, x1, xh + 2 * LANES), pAcc1);
            pAcc1 = n7.fma(FloatVector.fromArray(F, x1, xh + 3 * LANES), pAcc1);
            acc1 = pAcc1.fma(d, acc1);
            FloatVector pAcc2 = n0.mul(FloatVector.fromArray(F, x2, xi));
            pAcc2 = n1.fma(FloatVector.fromArray(F, x2, xi + LANES), pAcc2);
            pAcc2 = n2.fma(FloatVector.fromArray(F, x2, xi + 2 * LANES), pAcc2);
            pAcc2 = n3.fma(FloatVector.fromArray(F, x2, xi + 3 * LANES), pAcc2);
            pAcc2 = n4.fma(FloatVector.fromArray(F, x2, xh), pAcc2);
            pAcc2 = n5.fma(FloatVector.fromArray(F, x2, xh + LANES), pAcc2);
            pAcc2 = n6.fma(FloatVector.fromArray(F, x2, xh + 2 * LANES), pAcc2);
            pAcc2 = n7.fma(FloatVector.fromArray(F, x2, xh + 3 * LANES), pAcc2);
            acc2 = pAcc2.fma(d, acc2);
            FloatVector pAcc3 = n0.mul(FloatVector.fromArray(F, x3, xi));
            pAcc3 = n1.fma(FloatVector.fromArray(F, x3, xi + LANES), pAcc3);
            pAcc3 = n2.fma(FloatVector.fromArray(F, x3, xi + 2 * LANES), pAcc3);
            pAcc3 = n3.fma(FloatVector.fromArray(F, x3, xi + 3 * LANES), pAcc3);
            pAcc3 = n4.fma(FloatVector.fromArray(F, x3, xh), pAcc3);
            pAcc3 = n5.fma(FloatVector.fromArray(F, x3, xh + LANES), pAcc3);
            pAcc3 = n6.fma(FloatVector.fromArray(F, x3, xh + 2 * LANES), pAcc3);
            pAcc3 = n7.fma(FloatVector.fromArray(F, x3, xh + 3 * LANES), pAcc3);
            acc3 = pAcc3.fma(d, acc3);
          }
          // Σ_b offset_b·Σx_b of each activation row, as dotRows sums it.
          MultiRows.offsetSum(offsets, rows.blockSums(t), blocks, offsetSums, 0);
          MultiRows.offsetSum(offsets, rows.blockSums(t1), blocks, offsetSums, 1);
          MultiRows.offsetSum(offsets, rows.blockSums(t2), blocks, offsetSums, 2);
          MultiRows.offsetSum(offsets, rows.blockSums(t3), blocks, offsetSums, 3);
          outs[t][r] =
              acc0.sub(FloatVector.fromArray(F, offsetSums, 0 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t1][r] =
              acc1.sub(FloatVector.fromArray(F, offsetSums, 1 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t2][r] =
              acc2.sub(FloatVector.fromArray(F, offsetSums, 2 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t3][r] =
              acc3.sub(FloatVector.fromArray(F, offsetSums, 3 * LANES))
                  .reduceLanes(VectorOperators.ADD);
        }
      }
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
