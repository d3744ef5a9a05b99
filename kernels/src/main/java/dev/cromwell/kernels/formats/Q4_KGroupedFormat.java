package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.natives.Prefetch;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_K weights rearranged at load time for decoding, like {@link FourBitGroupedFormat}: the numbers
 * of GGML's Q4_K (weight = d·scale·q − dmin·min per sub-block of 32), in an order that decodes with
 * the shared {@link OrderedNibbles} kernel and aligned loads.
 *
 * <p>A row of {@code n} weights ({@code S = n / 256} super-blocks) holds the S F16 {@code d}, the S
 * F16 {@code dmin}, the {@code 8S} sub-block scales and the {@code 8S} mins as one byte each (GGML
 * packs them in 6 bits; unpacked they convert as vectors), zeros up to the next multiple of 64
 * bytes, then the nibbles of all weights in order ({@link OrderedNibbles}). That is 0–6% more bytes
 * than GGML's 144 per super-block.
 */
final class Q4_KGroupedFormat extends GroupedFormat {
  public static final Q4_KGroupedFormat INSTANCE = new Q4_KGroupedFormat();

  private static final int SUPER = KGroupedHeader.SUPER;
  private static final int GGML_SUPER_BYTES = 144;
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int LANES = F.length();

  private Q4_KGroupedFormat() {
    super(GgmlType.Q4_K, SUPER, 0);
  }

  private static long nibbleStart(int supers) {
    return (KGroupedHeader.bytes(supers) + 63) / 64 * 64;
  }

  @Override
  long nibblesAt(int cols) {
    return nibbleStart(cols / SUPER);
  }

  @Override
  long fifthBitsAt(int cols) {
    return -1;
  }

  @Override
  void blockScales(MemorySegment w, long row, int cols, float[] scales, float[] offsets) {
    KGroupedHeader.blockScales(w, row, cols / SUPER, scales, offsets);
  }

  @Override
  public long rowBytes(int n) {
    requireSupported(n);
    int supers = n / SUPER;
    return nibbleStart(supers) + 128L * supers;
  }

  @Override
  void fromGgml(byte[] ggml, byte[] out, int cols) {
    int supers = cols / SUPER;
    MemorySegment in = MemorySegment.ofArray(ggml);
    int[] q = new int[SUPER];
    for (int s = 0; s < supers; s++) {
      int block = s * GGML_SUPER_BYTES;
      KGroupedHeader.copy(in, block, out, s, supers);
      // GGML: 64 weights per 32 bytes, the first 32 in low nibbles, the next 32 in high ones.
      for (int m = 0; m < SUPER; m++) {
        int packed = ggml[block + 16 + 32 * (m / 64) + m % 32] & 0xff;
        q[m] = m % 64 < 32 ? packed & 0x0f : packed >>> 4;
      }
      OrderedNibbles.pack(q, out, (int) nibbleStart(supers) + 128 * s);
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
   * {@link #dotRows} for up to four activation rows per pass over a weight row: the header is
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
    int supers = cols / SUPER;
    int blocks = cols / BLOCK;
    int count = rows.count();
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(blocks).zeroTails(cols);
    float[] laneScales = work.laneScales;
    float[] superD = work.superD;
    float[] superMin = work.superMin;
    float[] minimums = work.offsets;
    float[] offsetSums = MultiRows.offsetSums();
    long nibbles = nibbleStart(supers);
    long prefetched = Prefetch.start(w, offset + from * rowBytes);
    for (int r = from; r < to; r++) {
      prefetched = Prefetch.ahead(prefetched, w, offset + r * rowBytes);
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      for (int s = 0; s < supers; s++) {
        superD[s] = Bytes.half(row, 2L * s);
        superMin[s] = Bytes.half(row, KGroupedHeader.dmins(supers) + 2L * s);
      }
      // dotRows' products of the minimums, kept for each activation row's Σ against its Σx.
      for (int b = 0; b < blocks; b += LANES) {
        FloatVector dOfLane =
            FloatVector.fromArray(F, superD, b / 8).rearrange(KGroupedHeader.SUPER_OF_LANE);
        FloatVector minOfLane =
            FloatVector.fromArray(F, superMin, b / 8).rearrange(KGroupedHeader.SUPER_OF_LANE);
        OrderedNibbles.spreadScales(
            KGroupedHeader.bytes(row, KGroupedHeader.scaleBytes(supers) + b).mul(dOfLane),
            laneScales,
            b);
        KGroupedHeader.bytes(row, KGroupedHeader.minBytes(supers) + b)
            .mul(minOfLane)
            .intoArray(minimums, b);
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
          FloatVector low0 = FloatVector.zero(F);
          FloatVector low1 = FloatVector.zero(F);
          FloatVector low2 = FloatVector.zero(F);
          FloatVector low3 = FloatVector.zero(F);
          FloatVector low4 = FloatVector.zero(F);
          FloatVector low5 = FloatVector.zero(F);
          FloatVector low6 = FloatVector.zero(F);
          FloatVector low7 = FloatVector.zero(F);
          FloatVector high0 = FloatVector.zero(F);
          FloatVector high1 = FloatVector.zero(F);
          FloatVector high2 = FloatVector.zero(F);
          FloatVector high3 = FloatVector.zero(F);
          FloatVector high4 = FloatVector.zero(F);
          FloatVector high5 = FloatVector.zero(F);
          FloatVector high6 = FloatVector.zero(F);
          FloatVector high7 = FloatVector.zero(F);
          for (int v = 0; v < cols / (8 * LANES); v++) {
            IntVector q =
                IntVector.fromMemorySegment(
                    I, row, nibbles + 4L * LANES * v, ByteOrder.LITTLE_ENDIAN);
            FloatVector n0 = (FloatVector) q.and(0x0000000f).convert(VectorOperators.I2F, 0);
            FloatVector n1 = (FloatVector) q.and(0x000000f0).convert(VectorOperators.I2F, 0);
            FloatVector n2 = (FloatVector) q.and(0x00000f00).convert(VectorOperators.I2F, 0);
            FloatVector n3 = (FloatVector) q.and(0x0000f000).convert(VectorOperators.I2F, 0);
            FloatVector n4 = (FloatVector) q.and(0x000f0000).convert(VectorOperators.I2F, 0);
            FloatVector n5 = (FloatVector) q.and(0x00f00000).convert(VectorOperators.I2F, 0);
            FloatVector n6 = (FloatVector) q.and(0x0f000000).convert(VectorOperators.I2F, 0);
            // The top nibble would be negative as a signed int: shifted down instead (scale 1).
            FloatVector n7 =
                (FloatVector) q.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.fromArray(F, laneScales, LANES * v);
            int xi = 8 * LANES * v;
            int xh = xi + 4 * LANES;
            FloatVector pLow0 = n0.mul(FloatVector.fromArray(F, x0, xi));
            pLow0 = n1.fma(FloatVector.fromArray(F, x0, xi + LANES), pLow0);
            pLow0 = n2.fma(FloatVector.fromArray(F, x0, xi + 2 * LANES), pLow0);
            pLow0 = n3.fma(FloatVector.fromArray(F, x0, xi + 3 * LANES), pLow0);
            low0 = pLow0.fma(d, low0);
            FloatVector pHigh0 = n4.mul(FloatVector.fromArray(F, x0, xh));
            pHigh0 = n5.fma(FloatVector.fromArray(F, x0, xh + LANES), pHigh0);
            pHigh0 = n6.fma(FloatVector.fromArray(F, x0, xh + 2 * LANES), pHigh0);
            pHigh0 = n7.fma(FloatVector.fromArray(F, x0, xh + 3 * LANES), pHigh0);
            high0 = pHigh0.fma(d, high0);
            FloatVector pLow1 = n0.mul(FloatVector.fromArray(F, x1, xi));
            pLow1 = n1.fma(FloatVector.fromArray(F, x1, xi + LANES), pLow1);
            pLow1 = n2.fma(FloatVector.fromArray(F, x1, xi + 2 * LANES), pLow1);
            pLow1 = n3.fma(FloatVector.fromArray(F, x1, xi + 3 * LANES), pLow1);
            low1 = pLow1.fma(d, low1);
            FloatVector pHigh1 = n4.mul(FloatVector.fromArray(F, x1, xh));
            pHigh1 = n5.fma(FloatVector.fromArray(F, x1, xh + LANES), pHigh1);
            pHigh1 = n6.fma(FloatVector.fromArray(F, x1, xh + 2 * LANES), pHigh1);
            pHigh1 = n7.fma(FloatVector.fromArray(F, x1, xh + 3 * LANES), pHigh1);
            high1 = pHigh1.fma(d, high1);
            FloatVector pLow2 = n0.mul(FloatVector.fromArray(F, x2, xi));
            pLow2 = n1.fma(FloatVector.fromArray(F, x2, xi + LANES), pLow2);
            pLow2 = n2.fma(FloatVector.fromArray(F, x2, xi + 2 * LANES), pLow2);
            pLow2 = n3.fma(FloatVector.fromArray(F, x2, xi + 3 * LANES), pLow2);
            low2 = pLow2.fma(d, low2);
            FloatVector pHigh2 = n4.mul(FloatVector.fromArray(F, x2, xh));
            pHigh2 = n5.fma(FloatVector.fromArray(F, x2, xh + LANES), pHigh2);
            pHigh2 = n6.fma(FloatVector.fromArray(F, x2, xh + 2 * LANES), pHigh2);
            pHigh2 = n7.fma(FloatVector.fromArray(F, x2, xh + 3 * LANES), pHigh2);
            high2 = pHigh2.fma(d, high2);
            FloatVector pLow3 = n0.mul(FloatVector.fromArray(F, x3, xi));
            pLow3 = n1.fma(FloatVector.fromArray(F, x3, xi + LANES), pLow3);
            pLow3 = n2.fma(FloatVector.fromArray(F, x3, xi + 2 * LANES), pLow3);
            pLow3 = n3.fma(FloatVector.fromArray(F, x3, xi + 3 * LANES), pLow3);
            low3 = pLow3.fma(d, low3);
            FloatVector pHigh3 = n4.mul(FloatVector.fromArray(F, x3, xh));
            pHigh3 = n5.fma(FloatVector.fromArray(F, x3, xh + LANES), pHigh3);
            pHigh3 = n6.fma(FloatVector.fromArray(F, x3, xh + 2 * LANES), pHigh3);
            pHigh3 = n7.fma(FloatVector.fromArray(F, x3, xh + 3 * LANES), pHigh3);
            high3 = pHigh3.fma(d, high3);
            FloatVector pLow4 = n0.mul(FloatVector.fromArray(F, x4, xi));
            pLow4 = n1.fma(FloatVector.fromArray(F, x4, xi + LANES), pLow4);
            pLow4 = n2.fma(FloatVector.fromArray(F, x4, xi + 2 * LANES), pLow4);
            pLow4 = n3.fma(FloatVector.fromArray(F, x4, xi + 3 * LANES), pLow4);
            low4 = pLow4.fma(d, low4);
            FloatVector pHigh4 = n4.mul(FloatVector.fromArray(F, x4, xh));
            pHigh4 = n5.fma(FloatVector.fromArray(F, x4, xh + LANES), pHigh4);
            pHigh4 = n6.fma(FloatVector.fromArray(F, x4, xh + 2 * LANES), pHigh4);
            pHigh4 = n7.fma(FloatVector.fromArray(F, x4, xh + 3 * LANES), pHigh4);
            high4 = pHigh4.fma(d, high4);
            FloatVector pLow5 = n0.mul(FloatVector.fromArray(F, x5, xi));
            pLow5 = n1.fma(FloatVector.fromArray(F, x5, xi + LANES), pLow5);
            pLow5 = n2.fma(FloatVector.fromArray(F, x5, xi + 2 * LANES), pLow5);
            pLow5 = n3.fma(FloatVector.fromArray(F, x5, xi + 3 * LANES), pLow5);
            low5 = pLow5.fma(d, low5);
            FloatVector pHigh5 = n4.mul(FloatVector.fromArray(F, x5, xh));
            pHigh5 = n5.fma(FloatVector.fromArray(F, x5, xh + LANES), pHigh5);
            pHigh5 = n6.fma(FloatVector.fromArray(F, x5, xh + 2 * LANES), pHigh5);
            pHigh5 = n7.fma(FloatVector.fromArray(F, x5, xh + 3 * LANES), pHigh5);
            high5 = pHigh5.fma(d, high5);
            FloatVector pLow6 = n0.mul(FloatVector.fromArray(F, x6, xi));
            pLow6 = n1.fma(FloatVector.fromArray(F, x6, xi + LANES), pLow6);
            pLow6 = n2.fma(FloatVector.fromArray(F, x6, xi + 2 * LANES), pLow6);
            pLow6 = n3.fma(FloatVector.fromArray(F, x6, xi + 3 * LANES), pLow6);
            low6 = pLow6.fma(d, low6);
            FloatVector pHigh6 = n4.mul(FloatVector.fromArray(F, x6, xh));
            pHigh6 = n5.fma(FloatVector.fromArray(F, x6, xh + LANES), pHigh6);
            pHigh6 = n6.fma(FloatVector.fromArray(F, x6, xh + 2 * LANES), pHigh6);
            pHigh6 = n7.fma(FloatVector.fromArray(F, x6, xh + 3 * LANES), pHigh6);
            high6 = pHigh6.fma(d, high6);
            FloatVector pLow7 = n0.mul(FloatVector.fromArray(F, x7, xi));
            pLow7 = n1.fma(FloatVector.fromArray(F, x7, xi + LANES), pLow7);
            pLow7 = n2.fma(FloatVector.fromArray(F, x7, xi + 2 * LANES), pLow7);
            pLow7 = n3.fma(FloatVector.fromArray(F, x7, xi + 3 * LANES), pLow7);
            low7 = pLow7.fma(d, low7);
            FloatVector pHigh7 = n4.mul(FloatVector.fromArray(F, x7, xh));
            pHigh7 = n5.fma(FloatVector.fromArray(F, x7, xh + LANES), pHigh7);
            pHigh7 = n6.fma(FloatVector.fromArray(F, x7, xh + 2 * LANES), pHigh7);
            pHigh7 = n7.fma(FloatVector.fromArray(F, x7, xh + 3 * LANES), pHigh7);
            high7 = pHigh7.fma(d, high7);
          }
          // Σ_b offset_b·Σx_b of each activation row, as dotRows sums it.
          MultiRows.offsetSum(minimums, rows.blockSums(t), blocks, offsetSums, 0);
          MultiRows.offsetSum(minimums, rows.blockSums(t1), blocks, offsetSums, 1);
          MultiRows.offsetSum(minimums, rows.blockSums(t2), blocks, offsetSums, 2);
          MultiRows.offsetSum(minimums, rows.blockSums(t3), blocks, offsetSums, 3);
          outs[t][r] =
              low0.add(high0)
                  .sub(FloatVector.fromArray(F, offsetSums, 0 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t1][r] =
              low1.add(high1)
                  .sub(FloatVector.fromArray(F, offsetSums, 1 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t2][r] =
              low2.add(high2)
                  .sub(FloatVector.fromArray(F, offsetSums, 2 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t3][r] =
              low3.add(high3)
                  .sub(FloatVector.fromArray(F, offsetSums, 3 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          MultiRows.offsetSum(minimums, rows.blockSums(t4), blocks, offsetSums, 4);
          MultiRows.offsetSum(minimums, rows.blockSums(t5), blocks, offsetSums, 5);
          MultiRows.offsetSum(minimums, rows.blockSums(t6), blocks, offsetSums, 6);
          MultiRows.offsetSum(minimums, rows.blockSums(t7), blocks, offsetSums, 7);
          outs[t4][r] =
              low4.add(high4)
                  .sub(FloatVector.fromArray(F, offsetSums, 4 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t5][r] =
              low5.add(high5)
                  .sub(FloatVector.fromArray(F, offsetSums, 5 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t6][r] =
              low6.add(high6)
                  .sub(FloatVector.fromArray(F, offsetSums, 6 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t7][r] =
              low7.add(high7)
                  .sub(FloatVector.fromArray(F, offsetSums, 7 * LANES))
                  .reduceLanes(VectorOperators.ADD);
        } else {
          int t1 = Math.min(t + 1, count - 1);
          int t2 = Math.min(t + 2, count - 1);
          int t3 = Math.min(t + 3, count - 1);
          float[] x0 = rows.placeX(t);
          float[] x1 = rows.placeX(t1);
          float[] x2 = rows.placeX(t2);
          float[] x3 = rows.placeX(t3);
          FloatVector low0 = FloatVector.zero(F);
          FloatVector low1 = FloatVector.zero(F);
          FloatVector low2 = FloatVector.zero(F);
          FloatVector low3 = FloatVector.zero(F);
          FloatVector high0 = FloatVector.zero(F);
          FloatVector high1 = FloatVector.zero(F);
          FloatVector high2 = FloatVector.zero(F);
          FloatVector high3 = FloatVector.zero(F);
          for (int v = 0; v < cols / (8 * LANES); v++) {
            IntVector q =
                IntVector.fromMemorySegment(
                    I, row, nibbles + 4L * LANES * v, ByteOrder.LITTLE_ENDIAN);
            FloatVector n0 = (FloatVector) q.and(0x0000000f).convert(VectorOperators.I2F, 0);
            FloatVector n1 = (FloatVector) q.and(0x000000f0).convert(VectorOperators.I2F, 0);
            FloatVector n2 = (FloatVector) q.and(0x00000f00).convert(VectorOperators.I2F, 0);
            FloatVector n3 = (FloatVector) q.and(0x0000f000).convert(VectorOperators.I2F, 0);
            FloatVector n4 = (FloatVector) q.and(0x000f0000).convert(VectorOperators.I2F, 0);
            FloatVector n5 = (FloatVector) q.and(0x00f00000).convert(VectorOperators.I2F, 0);
            FloatVector n6 = (FloatVector) q.and(0x0f000000).convert(VectorOperators.I2F, 0);
            // The top nibble would be negative as a signed int: shifted down instead (scale 1).
            FloatVector n7 =
                (FloatVector) q.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.fromArray(F, laneScales, LANES * v);
            int xi = 8 * LANES * v;
            int xh = xi + 4 * LANES;
            FloatVector pLow0 = n0.mul(FloatVector.fromArray(F, x0, xi));
            pLow0 = n1.fma(FloatVector.fromArray(F, x0, xi + LANES), pLow0);
            pLow0 = n2.fma(FloatVector.fromArray(F, x0, xi + 2 * LANES), pLow0);
            pLow0 = n3.fma(FloatVector.fromArray(F, x0, xi + 3 * LANES), pLow0);
            low0 = pLow0.fma(d, low0);
            FloatVector pHigh0 = n4.mul(FloatVector.fromArray(F, x0, xh));
            pHigh0 = n5.fma(FloatVector.fromArray(F, x0, xh + LANES), pHigh0);
            pHigh0 = n6.fma(FloatVector.fromArray(F, x0, xh + 2 * LANES), pHigh0);
            pHigh0 = n7.fma(FloatVector.fromArray(F, x0, xh + 3 * LANES), pHigh0);
            high0 = pHigh0.fma(d, high0);
            FloatVector pLow1 = n0.mul(FloatVector.fromArray(F, x1, xi));
            pLow1 = n1.fma(FloatVector.fromArray(F, x1, xi + LANES), pLow1);
            pLow1 = n2.fma(FloatVector.fromArray(F, x1, xi + 2 * LANES), pLow1);
            pLow1 = n3.fma(FloatVector.fromArray(F, x1, xi + 3 * LANES), pLow1);
            low1 = pLow1.fma(d, low1);
            FloatVector pHigh1 = n4.mul(FloatVector.fromArray(F, x1, xh));
            pHigh1 = n5.fma(FloatVector.fromArray(F, x1, xh + LANES), pHigh1);
            pHigh1 = n6.fma(FloatVector.fromArray(F, x1, xh + 2 * LANES), pHigh1);
            pHigh1 = n7.fma(FloatVector.fromArray(F, x1, xh + 3 * LANES), pHigh1);
            high1 = pHigh1.fma(d, high1);
            FloatVector pLow2 = n0.mul(FloatVector.fromArray(F, x2, xi));
            pLow2 = n1.fma(FloatVector.fromArray(F, x2, xi + LANES), pLow2);
            pLow2 = n2.fma(FloatVector.fromArray(F, x2, xi + 2 * LANES), pLow2);
            pLow2 = n3.fma(FloatVector.fromArray(F, x2, xi + 3 * LANES), pLow2);
            low2 = pLow2.fma(d, low2);
            FloatVector pHigh2 = n4.mul(FloatVector.fromArray(F, x2, xh));
            pHigh2 = n5.fma(FloatVector.fromArray(F, x2, xh + LANES), pHigh2);
            pHigh2 = n6.fma(FloatVector.fromArray(F, x2, xh + 2 * LANES), pHigh2);
            pHigh2 = n7.fma(FloatVector.fromArray(F, x2, xh + 3 * LANES), pHigh2);
            high2 = pHigh2.fma(d, high2);
            FloatVector pLow3 = n0.mul(FloatVector.fromArray(F, x3, xi));
            pLow3 = n1.fma(FloatVector.fromArray(F, x3, xi + LANES), pLow3);
            pLow3 = n2.fma(FloatVector.fromArray(F, x3, xi + 2 * LANES), pLow3);
            pLow3 = n3.fma(FloatVector.fromArray(F, x3, xi + 3 * LANES), pLow3);
            low3 = pLow3.fma(d, low3);
            FloatVector pHigh3 = n4.mul(FloatVector.fromArray(F, x3, xh));
            pHigh3 = n5.fma(FloatVector.fromArray(F, x3, xh + LANES), pHigh3);
            pHigh3 = n6.fma(FloatVector.fromArray(F, x3, xh + 2 * LANES), pHigh3);
            pHigh3 = n7.fma(FloatVector.fromArray(F, x3, xh + 3 * LANES), pHigh3);
            high3 = pHigh3.fma(d, high3);
          }
          // Σ_b offset_b·Σx_b of each activation row, as dotRows sums it.
          MultiRows.offsetSum(minimums, rows.blockSums(t), blocks, offsetSums, 0);
          MultiRows.offsetSum(minimums, rows.blockSums(t1), blocks, offsetSums, 1);
          MultiRows.offsetSum(minimums, rows.blockSums(t2), blocks, offsetSums, 2);
          MultiRows.offsetSum(minimums, rows.blockSums(t3), blocks, offsetSums, 3);
          outs[t][r] =
              low0.add(high0)
                  .sub(FloatVector.fromArray(F, offsetSums, 0 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t1][r] =
              low1.add(high1)
                  .sub(FloatVector.fromArray(F, offsetSums, 1 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t2][r] =
              low2.add(high2)
                  .sub(FloatVector.fromArray(F, offsetSums, 2 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t3][r] =
              low3.add(high3)
                  .sub(FloatVector.fromArray(F, offsetSums, 3 * LANES))
                  .reduceLanes(VectorOperators.ADD);
        }
      }
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
    int supers = cols / SUPER;
    int blocks = cols / BLOCK;
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(x, cols);
    MemorySegment xs = work.alignedX.asSlice(0, 4L * cols);
    float[] blockSums = work.blockSums;
    float[] laneScales = work.laneScales;
    float[] superD = work.superD;
    float[] superMin = work.superMin;
    long nibbles = nibbleStart(supers);
    long prefetched = Prefetch.start(w, offset + from * rowBytes);
    for (int r = from; r < to; r++) {
      prefetched = Prefetch.ahead(prefetched, w, offset + r * rowBytes);
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      // The header inline, not through KGroupedHeader.decode: called, it cost Q4_K decode 10%.
      for (int s = 0; s < supers; s++) {
        superD[s] = Bytes.half(row, 2L * s);
        superMin[s] = Bytes.half(row, KGroupedHeader.dmins(supers) + 2L * s);
      }
      // The offsets are summed against the blocks' Σx as they are decoded (stored and summed in a
      // pass of their own, they cost Q4_0, whose loop this is, 5%).
      FloatVector offsetSum = FloatVector.zero(F);
      for (int b = 0; b < blocks; b += LANES) {
        FloatVector dOfLane =
            FloatVector.fromArray(F, superD, b / 8).rearrange(KGroupedHeader.SUPER_OF_LANE);
        FloatVector minOfLane =
            FloatVector.fromArray(F, superMin, b / 8).rearrange(KGroupedHeader.SUPER_OF_LANE);
        OrderedNibbles.spreadScales(
            KGroupedHeader.bytes(row, KGroupedHeader.scaleBytes(supers) + b).mul(dOfLane),
            laneScales,
            b);
        offsetSum =
            KGroupedHeader.bytes(row, KGroupedHeader.minBytes(supers) + b)
                .mul(minOfLane)
                .fma(FloatVector.fromArray(F, blockSums, b), offsetSum);
      }
      FloatVector low = FloatVector.zero(F);
      FloatVector high = FloatVector.zero(F);
      // One vector of nibbles holds 8 weights per lane: 8·LANES weights, LANES / 4 blocks. (This
      // loop is the same in FourBitGroupedFormat and Q4_KGroupedFormat: see OrderedNibbles.)
      for (int v = 0; v < cols / (8 * LANES); v++) {
        IntVector q =
            IntVector.fromMemorySegment(I, row, nibbles + 4L * LANES * v, ByteOrder.LITTLE_ENDIAN);
        int xi = 8 * LANES * v;
        FloatVector p =
            ((FloatVector) q.and(0x0000000f).convert(VectorOperators.I2F, 0))
                .mul(FloatVector.fromMemorySegment(F, xs, 4L * (xi), ByteOrder.LITTLE_ENDIAN));
        p =
            ((FloatVector) q.and(0x000000f0).convert(VectorOperators.I2F, 0))
                .fma(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + LANES), ByteOrder.LITTLE_ENDIAN),
                    p);
        p =
            ((FloatVector) q.and(0x00000f00).convert(VectorOperators.I2F, 0))
                .fma(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + 2 * LANES), ByteOrder.LITTLE_ENDIAN),
                    p);
        p =
            ((FloatVector) q.and(0x0000f000).convert(VectorOperators.I2F, 0))
                .fma(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + 3 * LANES), ByteOrder.LITTLE_ENDIAN),
                    p);
        FloatVector s =
            ((FloatVector) q.and(0x000f0000).convert(VectorOperators.I2F, 0))
                .mul(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + 4 * LANES), ByteOrder.LITTLE_ENDIAN));
        s =
            ((FloatVector) q.and(0x00f00000).convert(VectorOperators.I2F, 0))
                .fma(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + 5 * LANES), ByteOrder.LITTLE_ENDIAN),
                    s);
        s =
            ((FloatVector) q.and(0x0f000000).convert(VectorOperators.I2F, 0))
                .fma(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + 6 * LANES), ByteOrder.LITTLE_ENDIAN),
                    s);
        // The top nibble would be negative as a signed int: shift it down instead (scale 1).
        FloatVector top =
            (FloatVector) q.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0);
        s =
            top.fma(
                FloatVector.fromMemorySegment(
                    F, xs, 4L * (xi + 7 * LANES), ByteOrder.LITTLE_ENDIAN),
                s);
        FloatVector d = FloatVector.fromArray(F, laneScales, LANES * v);
        low = p.fma(d, low);
        high = s.fma(d, high);
      }
      out[r] = low.add(high).sub(offsetSum).reduceLanes(VectorOperators.ADD);
    }
  }
}
