package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Half;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.natives.Prefetch;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q5_0 and Q5_1 weights rearranged at load time for decoding, like {@link FourBitGroupedFormat}:
 * the same scales, minimums, fifth bits and nibbles as GGML's blocks, in an order that takes fewer
 * instructions per weight. llama.cpp writes these types for rows that do not fill a K-quant's
 * 256-weight super-block: Q5_0 instead of Q4_K into "Q4_K_M" files, Q5_1 instead of Q5_K into
 * "Q5_K_M" files — most matrices of Qwen2.5-Coder-0.5B (896 columns) in both.
 *
 * <p>A row of {@code n} weights (n a multiple of 128) holds the {@code n / 32} F16 block scales d
 * (Q5_1: then the {@code n / 32} F16 minimums m), zeros to the next multiple of 16 bytes, one byte
 * of fifth bits per 8 weights in order ({@code n / 8} bytes: the bits of weights 0, 2, 4, 6 of the
 * eight in bits 0–3, those of weights 1, 3, 5, 7 in bits 4–7), zeros to the next multiple of 64
 * bytes, then the low nibbles in order ({@link OrderedNibbles}). With q the nibble plus 16 times
 * its bit, weight {@code w} is {@code d[w / 32] × (q − 16)} in Q5_0 and {@code d[w / 32] × q + m[w
 * / 32]} in Q5_1.
 *
 * <p>The kernel splits a lane's eight nibbles into two ints of four 8-bit fields (even and odd
 * weights), so each field has room above its nibble for the fifth bit. One multiplication spreads
 * four bits of the byte to bits 4, 12, 20 and 28 (copies at shifts 4, 11, 18, 25 never overlap, so
 * nothing carries), and a field is then masked in place and converted like a {@link
 * FourBitGroupedFormat} nibble, against x pre-scaled by 256^-j. The block offsets come out once per
 * row: Σ 16·d·Σx for Q5_0's −16, Σ m·Σx for Q5_1's minimums.
 */
final class FiveBitGroupedFormat extends GroupedFormat {
  /** Q5_0: weight = d·(q − 16). */
  public static final FiveBitGroupedFormat Q5_0 = new FiveBitGroupedFormat(GgmlType.Q5_0, 22);

  /** Q5_1: weight = d·q + m. */
  public static final FiveBitGroupedFormat Q5_1 = new FiveBitGroupedFormat(GgmlType.Q5_1, 24);

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int LANES = F.length();
  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;
  private static final VectorSpecies<Short> HALVES = VectorWidth.SHORT_PER_FLOAT;
  private static final FloatVector ZEROS = FloatVector.zero(F);

  /** Multiplying bits 0–3 by this puts bit i at bit 8i + 4 (copies at 4, 11, 18, 25). */
  private static final int SPREAD = 1 << 4 | 1 << 11 | 1 << 18 | 1 << 25;

  /** Where {@link #SPREAD} leaves the bits. */
  private static final int FIFTH_BITS = 0x10101010;

  private final LegacyHeader header;

  /** Whether blocks carry a minimum (Q5_1): the kernel's per-block offset is then −m, not 16·d. */
  private final boolean minimums;

  private FiveBitGroupedFormat(GgmlType type, int ggmlBlockBytes) {
    boolean minimums = type == GgmlType.Q5_1;
    super(type, 128, minimums ? 0 : 16);
    this.header = new LegacyHeader(ggmlBlockBytes, minimums);
    this.minimums = minimums;
  }

  /** Bytes from a row's start to its fifth bits: the scales (and minimums), padded to 16 bytes. */
  private long bitsStart(int blocks) {
    return (header.bytes(blocks) + 15) / 16 * 16;
  }

  /** Bytes from a row's start to its nibbles: scales and fifth bits, padded to 64 bytes. */
  private long nibbleStart(int blocks) {
    return (bitsStart(blocks) + 4L * blocks + 63) / 64 * 64;
  }

  /** Bytes a row of {@code n} weights occupies: scales, fifth bits, padding and nibbles. */
  @Override
  public long rowBytes(int n) {
    requireSupported(n);
    int blocks = n / BLOCK;
    return nibbleStart(blocks) + 16L * blocks;
  }

  /** One row: GGML's blocks in {@code ggml} to this layout in {@code grouped}. */
  @Override
  void fromGgml(byte[] ggml, byte[] grouped, int cols) {
    int blocks = cols / BLOCK;
    int bits = (int) bitsStart(blocks);
    int nibbles = (int) nibbleStart(blocks);
    for (int b = 0; b < blocks; b++) {
      // GGML's block: d, then m (Q5_1), then the high-bit word, then the nibbles.
      int highBits = header.copy(ggml, grouped, b, blocks);
      // The high-bit word: little-endian, bit j for weight j.
      for (int t = 0; t < 4; t++) {
        int eight = ggml[highBits + t] & 0xff;
        int sorted = 0;
        for (int k = 0; k < 8; k++) {
          sorted |= ((eight >>> k) & 1) << OrderedNibbles.fifthBitShift(k);
        }
        grouped[bits + 4 * b + t] = (byte) sorted;
      }
      OrderedNibbles.packGgmlBlock(ggml, highBits + 4, grouped, nibbles + b * 16);
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
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(x, cols).withByteFieldX(x, cols);
    float[] fieldX = work.byteFieldX;
    float[] blockSums = work.blockSums;
    float[] offsets = work.offsets;
    float[] laneScales = work.laneScales;
    long bits = bitsStart(blocks);
    long nibbles = nibbleStart(blocks);
    long prefetched = Prefetch.start(w, offset + from * rowBytes);
    for (int r = from; r < to; r++) {
      prefetched = Prefetch.ahead(prefetched, w, offset + r * rowBytes);
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      decodeScales(row, blocks, minimums, offsets, laneScales);
      FloatVector even = FloatVector.zero(F);
      FloatVector odd = FloatVector.zero(F);
      // One vector of nibbles holds 8 weights per lane, LANES bytes their fifth bits.
      for (int v = 0; v < cols / (8 * LANES); v++) {
        IntVector q =
            IntVector.fromMemorySegment(I, row, nibbles + 4L * LANES * v, ByteOrder.LITTLE_ENDIAN);
        IntVector h =
            (IntVector)
                ByteVector.fromMemorySegment(
                        B, row, bits + (long) LANES * v, ByteOrder.LITTLE_ENDIAN)
                    .castShape(I, 0);
        IntVector e = q.and(0x0f0f0f0f).or(h.and(0x0f).mul(SPREAD).and(FIFTH_BITS));
        IntVector o =
            q.lanewise(VectorOperators.LSHR, 4)
                .and(0x0f0f0f0f)
                .or(h.lanewise(VectorOperators.LSHR, 4).and(0x0f).mul(SPREAD).and(FIFTH_BITS));
        int xi = 8 * LANES * v;
        FloatVector p =
            ((FloatVector) e.and(0x1f).convert(VectorOperators.I2F, 0))
                .mul(FloatVector.fromArray(F, fieldX, xi));
        p =
            ((FloatVector) e.and(0x1f00).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 2 * LANES), p);
        p =
            ((FloatVector) e.and(0x1f0000).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 4 * LANES), p);
        p =
            ((FloatVector) e.and(0x1f000000).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 6 * LANES), p);
        FloatVector s =
            ((FloatVector) o.and(0x1f).convert(VectorOperators.I2F, 0))
                .mul(FloatVector.fromArray(F, fieldX, xi + LANES));
        s =
            ((FloatVector) o.and(0x1f00).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 3 * LANES), s);
        s =
            ((FloatVector) o.and(0x1f0000).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 5 * LANES), s);
        s =
            ((FloatVector) o.and(0x1f000000).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 7 * LANES), s);
        FloatVector d = FloatVector.fromArray(F, laneScales, LANES * v);
        even = p.fma(d, even);
        odd = s.fma(d, odd);
      }
      // Σ_b offset_b·Σx_b: the −16 or the minimum of every weight.
      FloatVector offsetSum = FloatVector.zero(F);
      for (int b = 0; b < blocks; b += LANES) {
        offsetSum =
            FloatVector.fromArray(F, offsets, b)
                .fma(FloatVector.fromArray(F, blockSums, b), offsetSum);
      }
      out[r] = even.add(odd).sub(offsetSum).reduceLanes(VectorOperators.ADD);
    }
  }

  @Override
  public boolean hasMultiRowKernel() {
    return true;
  }

  @Override
  public void prepareBatch(BatchRows rows) {
    rows.needByteFieldX();
    rows.needBlockSums();
  }

  /**
   * {@link #dotRows} for up to four activation rows per pass over a weight row: the fields are
   * unpacked and converted once, then each activation row does {@link #dotRows}'s multiplications
   * in its order (so its sums are the same bits). More than four rows take further passes over the
   * weight row, which is then in L1.
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
    long bits = bitsStart(blocks);
    long nibbles = nibbleStart(blocks);
    long prefetched = Prefetch.start(w, offset + from * rowBytes);
    for (int r = from; r < to; r++) {
      prefetched = Prefetch.ahead(prefetched, w, offset + r * rowBytes);
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      decodeScales(row, blocks, minimums, offsets, laneScales);
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
          float[] x0 = rows.byteFieldX(t);
          float[] x1 = rows.byteFieldX(t1);
          float[] x2 = rows.byteFieldX(t2);
          float[] x3 = rows.byteFieldX(t3);
          float[] x4 = rows.byteFieldX(t4);
          float[] x5 = rows.byteFieldX(t5);
          float[] x6 = rows.byteFieldX(t6);
          float[] x7 = rows.byteFieldX(t7);
          FloatVector even0 = FloatVector.zero(F);
          FloatVector even1 = FloatVector.zero(F);
          FloatVector even2 = FloatVector.zero(F);
          FloatVector even3 = FloatVector.zero(F);
          FloatVector even4 = FloatVector.zero(F);
          FloatVector even5 = FloatVector.zero(F);
          FloatVector even6 = FloatVector.zero(F);
          FloatVector even7 = FloatVector.zero(F);
          FloatVector odd0 = FloatVector.zero(F);
          FloatVector odd1 = FloatVector.zero(F);
          FloatVector odd2 = FloatVector.zero(F);
          FloatVector odd3 = FloatVector.zero(F);
          FloatVector odd4 = FloatVector.zero(F);
          FloatVector odd5 = FloatVector.zero(F);
          FloatVector odd6 = FloatVector.zero(F);
          FloatVector odd7 = FloatVector.zero(F);
          for (int v = 0; v < cols / (8 * LANES); v++) {
            IntVector q =
                IntVector.fromMemorySegment(
                    I, row, nibbles + 4L * LANES * v, ByteOrder.LITTLE_ENDIAN);
            IntVector h =
                (IntVector)
                    ByteVector.fromMemorySegment(
                            B, row, bits + (long) LANES * v, ByteOrder.LITTLE_ENDIAN)
                        .castShape(I, 0);
            IntVector e = q.and(0x0f0f0f0f).or(h.and(0x0f).mul(SPREAD).and(FIFTH_BITS));
            IntVector o =
                q.lanewise(VectorOperators.LSHR, 4)
                    .and(0x0f0f0f0f)
                    .or(h.lanewise(VectorOperators.LSHR, 4).and(0x0f).mul(SPREAD).and(FIFTH_BITS));
            FloatVector e0 = (FloatVector) e.and(0x1f).convert(VectorOperators.I2F, 0);
            FloatVector e1 = (FloatVector) e.and(0x1f00).convert(VectorOperators.I2F, 0);
            FloatVector e2 = (FloatVector) e.and(0x1f0000).convert(VectorOperators.I2F, 0);
            FloatVector e3 = (FloatVector) e.and(0x1f000000).convert(VectorOperators.I2F, 0);
            FloatVector o0 = (FloatVector) o.and(0x1f).convert(VectorOperators.I2F, 0);
            FloatVector o1 = (FloatVector) o.and(0x1f00).convert(VectorOperators.I2F, 0);
            FloatVector o2 = (FloatVector) o.and(0x1f0000).convert(VectorOperators.I2F, 0);
            FloatVector o3 = (FloatVector) o.and(0x1f000000).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.fromArray(F, laneScales, LANES * v);
            int xi = 8 * LANES * v;
            FloatVector pEven0 = e0.mul(FloatVector.fromArray(F, x0, xi));
            pEven0 = e1.fma(FloatVector.fromArray(F, x0, xi + 2 * LANES), pEven0);
            pEven0 = e2.fma(FloatVector.fromArray(F, x0, xi + 4 * LANES), pEven0);
            pEven0 = e3.fma(FloatVector.fromArray(F, x0, xi + 6 * LANES), pEven0);
            even0 = pEven0.fma(d, even0);
            FloatVector pOdd0 = o0.mul(FloatVector.fromArray(F, x0, xi + LANES));
            pOdd0 = o1.fma(FloatVector.fromArray(F, x0, xi + 3 * LANES), pOdd0);
            pOdd0 = o2.fma(FloatVector.fromArray(F, x0, xi + 5 * LANES), pOdd0);
            pOdd0 = o3.fma(FloatVector.fromArray(F, x0, xi + 7 * LANES), pOdd0);
            odd0 = pOdd0.fma(d, odd0);
            FloatVector pEven1 = e0.mul(FloatVector.fromArray(F, x1, xi));
            pEven1 = e1.fma(FloatVector.fromArray(F, x1, xi + 2 * LANES), pEven1);
            pEven1 = e2.fma(FloatVector.fromArray(F, x1, xi + 4 * LANES), pEven1);
            pEven1 = e3.fma(FloatVector.fromArray(F, x1, xi + 6 * LANES), pEven1);
            even1 = pEven1.fma(d, even1);
            FloatVector pOdd1 = o0.mul(FloatVector.fromArray(F, x1, xi + LANES));
            pOdd1 = o1.fma(FloatVector.fromArray(F, x1, xi + 3 * LANES), pOdd1);
            pOdd1 = o2.fma(FloatVector.fromArray(F, x1, xi + 5 * LANES), pOdd1);
            pOdd1 = o3.fma(FloatVector.fromArray(F, x1, xi + 7 * LANES), pOdd1);
            odd1 = pOdd1.fma(d, odd1);
            FloatVector pEven2 = e0.mul(FloatVector.fromArray(F, x2, xi));
            pEven2 = e1.fma(FloatVector.fromArray(F, x2, xi + 2 * LANES), pEven2);
            pEven2 = e2.fma(FloatVector.fromArray(F, x2, xi + 4 * LANES), pEven2);
            pEven2 = e3.fma(FloatVector.fromArray(F, x2, xi + 6 * LANES), pEven2);
            even2 = pEven2.fma(d, even2);
            FloatVector pOdd2 = o0.mul(FloatVector.fromArray(F, x2, xi + LANES));
            pOdd2 = o1.fma(FloatVector.fromArray(F, x2, xi + 3 * LANES), pOdd2);
            pOdd2 = o2.fma(FloatVector.fromArray(F, x2, xi + 5 * LANES), pOdd2);
            pOdd2 = o3.fma(FloatVector.fromArray(F, x2, xi + 7 * LANES), pOdd2);
            odd2 = pOdd2.fma(d, odd2);
            FloatVector pEven3 = e0.mul(FloatVector.fromArray(F, x3, xi));
            pEven3 = e1.fma(FloatVector.fromArray(F, x3, xi + 2 * LANES), pEven3);
            pEven3 = e2.fma(FloatVector.fromArray(F, x3, xi + 4 * LANES), pEven3);
            pEven3 = e3.fma(FloatVector.fromArray(F, x3, xi + 6 * LANES), pEven3);
            even3 = pEven3.fma(d, even3);
            FloatVector pOdd3 = o0.mul(FloatVector.fromArray(F, x3, xi + LANES));
            pOdd3 = o1.fma(FloatVector.fromArray(F, x3, xi + 3 * LANES), pOdd3);
            pOdd3 = o2.fma(FloatVector.fromArray(F, x3, xi + 5 * LANES), pOdd3);
            pOdd3 = o3.fma(FloatVector.fromArray(F, x3, xi + 7 * LANES), pOdd3);
            odd3 = pOdd3.fma(d, odd3);
            FloatVector pEven4 = e0.mul(FloatVector.fromArray(F, x4, xi));
            pEven4 = e1.fma(FloatVector.fromArray(F, x4, xi + 2 * LANES), pEven4);
            pEven4 = e2.fma(FloatVector.fromArray(F, x4, xi + 4 * LANES), pEven4);
            pEven4 = e3.fma(FloatVector.fromArray(F, x4, xi + 6 * LANES), pEven4);
            even4 = pEven4.fma(d, even4);
            FloatVector pOdd4 = o0.mul(FloatVector.fromArray(F, x4, xi + LANES));
            pOdd4 = o1.fma(FloatVector.fromArray(F, x4, xi + 3 * LANES), pOdd4);
            pOdd4 = o2.fma(FloatVector.fromArray(F, x4, xi + 5 * LANES), pOdd4);
            pOdd4 = o3.fma(FloatVector.fromArray(F, x4, xi + 7 * LANES), pOdd4);
            odd4 = pOdd4.fma(d, odd4);
            FloatVector pEven5 = e0.mul(FloatVector.fromArray(F, x5, xi));
            pEven5 = e1.fma(FloatVector.fromArray(F, x5, xi + 2 * LANES), pEven5);
            pEven5 = e2.fma(FloatVector.fromArray(F, x5, xi + 4 * LANES), pEven5);
            pEven5 = e3.fma(FloatVector.fromArray(F, x5, xi + 6 * LANES), pEven5);
            even5 = pEven5.fma(d, even5);
            FloatVector pOdd5 = o0.mul(FloatVector.fromArray(F, x5, xi + LANES));
            pOdd5 = o1.fma(FloatVector.fromArray(F, x5, xi + 3 * LANES), pOdd5);
            pOdd5 = o2.fma(FloatVector.fromArray(F, x5, xi + 5 * LANES), pOdd5);
            pOdd5 = o3.fma(FloatVector.fromArray(F, x5, xi + 7 * LANES), pOdd5);
            odd5 = pOdd5.fma(d, odd5);
            FloatVector pEven6 = e0.mul(FloatVector.fromArray(F, x6, xi));
            pEven6 = e1.fma(FloatVector.fromArray(F, x6, xi + 2 * LANES), pEven6);
            pEven6 = e2.fma(FloatVector.fromArray(F, x6, xi + 4 * LANES), pEven6);
            pEven6 = e3.fma(FloatVector.fromArray(F, x6, xi + 6 * LANES), pEven6);
            even6 = pEven6.fma(d, even6);
            FloatVector pOdd6 = o0.mul(FloatVector.fromArray(F, x6, xi + LANES));
            pOdd6 = o1.fma(FloatVector.fromArray(F, x6, xi + 3 * LANES), pOdd6);
            pOdd6 = o2.fma(FloatVector.fromArray(F, x6, xi + 5 * LANES), pOdd6);
            pOdd6 = o3.fma(FloatVector.fromArray(F, x6, xi + 7 * LANES), pOdd6);
            odd6 = pOdd6.fma(d, odd6);
            FloatVector pEven7 = e0.mul(FloatVector.fromArray(F, x7, xi));
            pEven7 = e1.fma(FloatVector.fromArray(F, x7, xi + 2 * LANES), pEven7);
            pEven7 = e2.fma(FloatVector.fromArray(F, x7, xi + 4 * LANES), pEven7);
            pEven7 = e3.fma(FloatVector.fromArray(F, x7, xi + 6 * LANES), pEven7);
            even7 = pEven7.fma(d, even7);
            FloatVector pOdd7 = o0.mul(FloatVector.fromArray(F, x7, xi + LANES));
            pOdd7 = o1.fma(FloatVector.fromArray(F, x7, xi + 3 * LANES), pOdd7);
            pOdd7 = o2.fma(FloatVector.fromArray(F, x7, xi + 5 * LANES), pOdd7);
            pOdd7 = o3.fma(FloatVector.fromArray(F, x7, xi + 7 * LANES), pOdd7);
            odd7 = pOdd7.fma(d, odd7);
          }
          // Σ_b offset_b·Σx_b of each activation row, as dotRows sums it.
          MultiRows.offsetSum(offsets, rows.blockSums(t), blocks, offsetSums, 0);
          MultiRows.offsetSum(offsets, rows.blockSums(t1), blocks, offsetSums, 1);
          MultiRows.offsetSum(offsets, rows.blockSums(t2), blocks, offsetSums, 2);
          MultiRows.offsetSum(offsets, rows.blockSums(t3), blocks, offsetSums, 3);
          outs[t][r] =
              even0
                  .add(odd0)
                  .sub(FloatVector.fromArray(F, offsetSums, 0 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t1][r] =
              even1
                  .add(odd1)
                  .sub(FloatVector.fromArray(F, offsetSums, 1 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t2][r] =
              even2
                  .add(odd2)
                  .sub(FloatVector.fromArray(F, offsetSums, 2 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t3][r] =
              even3
                  .add(odd3)
                  .sub(FloatVector.fromArray(F, offsetSums, 3 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          MultiRows.offsetSum(offsets, rows.blockSums(t4), blocks, offsetSums, 4);
          MultiRows.offsetSum(offsets, rows.blockSums(t5), blocks, offsetSums, 5);
          MultiRows.offsetSum(offsets, rows.blockSums(t6), blocks, offsetSums, 6);
          MultiRows.offsetSum(offsets, rows.blockSums(t7), blocks, offsetSums, 7);
          outs[t4][r] =
              even4
                  .add(odd4)
                  .sub(FloatVector.fromArray(F, offsetSums, 4 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t5][r] =
              even5
                  .add(odd5)
                  .sub(FloatVector.fromArray(F, offsetSums, 5 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t6][r] =
              even6
                  .add(odd6)
                  .sub(FloatVector.fromArray(F, offsetSums, 6 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t7][r] =
              even7
                  .add(odd7)
                  .sub(FloatVector.fromArray(F, offsetSums, 7 * LANES))
                  .reduceLanes(VectorOperators.ADD);
        } else {
          int t1 = Math.min(t + 1, count - 1);
          int t2 = Math.min(t + 2, count - 1);
          int t3 = Math.min(t + 3, count - 1);
          float[] x0 = rows.byteFieldX(t);
          float[] x1 = rows.byteFieldX(t1);
          float[] x2 = rows.byteFieldX(t2);
          float[] x3 = rows.byteFieldX(t3);
          FloatVector even0 = FloatVector.zero(F);
          FloatVector even1 = FloatVector.zero(F);
          FloatVector even2 = FloatVector.zero(F);
          FloatVector even3 = FloatVector.zero(F);
          FloatVector odd0 = FloatVector.zero(F);
          FloatVector odd1 = FloatVector.zero(F);
          FloatVector odd2 = FloatVector.zero(F);
          FloatVector odd3 = FloatVector.zero(F);
          for (int v = 0; v < cols / (8 * LANES); v++) {
            IntVector q =
                IntVector.fromMemorySegment(
                    I, row, nibbles + 4L * LANES * v, ByteOrder.LITTLE_ENDIAN);
            IntVector h =
                (IntVector)
                    ByteVector.fromMemorySegment(
                            B, row, bits + (long) LANES * v, ByteOrder.LITTLE_ENDIAN)
                        .castShape(I, 0);
            IntVector e = q.and(0x0f0f0f0f).or(h.and(0x0f).mul(SPREAD).and(FIFTH_BITS));
            IntVector o =
                q.lanewise(VectorOperators.LSHR, 4)
                    .and(0x0f0f0f0f)
                    .or(h.lanewise(VectorOperators.LSHR, 4).and(0x0f).mul(SPREAD).and(FIFTH_BITS));
            FloatVector e0 = (FloatVector) e.and(0x1f).convert(VectorOperators.I2F, 0);
            FloatVector e1 = (FloatVector) e.and(0x1f00).convert(VectorOperators.I2F, 0);
            FloatVector e2 = (FloatVector) e.and(0x1f0000).convert(VectorOperators.I2F, 0);
            FloatVector e3 = (FloatVector) e.and(0x1f000000).convert(VectorOperators.I2F, 0);
            FloatVector o0 = (FloatVector) o.and(0x1f).convert(VectorOperators.I2F, 0);
            FloatVector o1 = (FloatVector) o.and(0x1f00).convert(VectorOperators.I2F, 0);
            FloatVector o2 = (FloatVector) o.and(0x1f0000).convert(VectorOperators.I2F, 0);
            FloatVector o3 = (FloatVector) o.and(0x1f000000).convert(VectorOperators.I2F, 0);
            FloatVector d = FloatVector.fromArray(F, laneScales, LANES * v);
            int xi = 8 * LANES * v;
            FloatVector pEven0 = e0.mul(FloatVector.fromArray(F, x0, xi));
            pEven0 = e1.fma(FloatVector.fromArray(F, x0, xi + 2 * LANES), pEven0);
            pEven0 = e2.fma(FloatVector.fromArray(F, x0, xi + 4 * LANES), pEven0);
            pEven0 = e3.fma(FloatVector.fromArray(F, x0, xi + 6 * LANES), pEven0);
            even0 = pEven0.fma(d, even0);
            FloatVector pOdd0 = o0.mul(FloatVector.fromArray(F, x0, xi + LANES));
            pOdd0 = o1.fma(FloatVector.fromArray(F, x0, xi + 3 * LANES), pOdd0);
            pOdd0 = o2.fma(FloatVector.fromArray(F, x0, xi + 5 * LANES), pOdd0);
            pOdd0 = o3.fma(FloatVector.fromArray(F, x0, xi + 7 * LANES), pOdd0);
            odd0 = pOdd0.fma(d, odd0);
            FloatVector pEven1 = e0.mul(FloatVector.fromArray(F, x1, xi));
            pEven1 = e1.fma(FloatVector.fromArray(F, x1, xi + 2 * LANES), pEven1);
            pEven1 = e2.fma(FloatVector.fromArray(F, x1, xi + 4 * LANES), pEven1);
            pEven1 = e3.fma(FloatVector.fromArray(F, x1, xi + 6 * LANES), pEven1);
            even1 = pEven1.fma(d, even1);
            FloatVector pOdd1 = o0.mul(FloatVector.fromArray(F, x1, xi + LANES));
            pOdd1 = o1.fma(FloatVector.fromArray(F, x1, xi + 3 * LANES), pOdd1);
            pOdd1 = o2.fma(FloatVector.fromArray(F, x1, xi + 5 * LANES), pOdd1);
            pOdd1 = o3.fma(FloatVector.fromArray(F, x1, xi + 7 * LANES), pOdd1);
            odd1 = pOdd1.fma(d, odd1);
            FloatVector pEven2 = e0.mul(FloatVector.fromArray(F, x2, xi));
            pEven2 = e1.fma(FloatVector.fromArray(F, x2, xi + 2 * LANES), pEven2);
            pEven2 = e2.fma(FloatVector.fromArray(F, x2, xi + 4 * LANES), pEven2);
            pEven2 = e3.fma(FloatVector.fromArray(F, x2, xi + 6 * LANES), pEven2);
            even2 = pEven2.fma(d, even2);
            FloatVector pOdd2 = o0.mul(FloatVector.fromArray(F, x2, xi + LANES));
            pOdd2 = o1.fma(FloatVector.fromArray(F, x2, xi + 3 * LANES), pOdd2);
            pOdd2 = o2.fma(FloatVector.fromArray(F, x2, xi + 5 * LANES), pOdd2);
            pOdd2 = o3.fma(FloatVector.fromArray(F, x2, xi + 7 * LANES), pOdd2);
            odd2 = pOdd2.fma(d, odd2);
            FloatVector pEven3 = e0.mul(FloatVector.fromArray(F, x3, xi));
            pEven3 = e1.fma(FloatVector.fromArray(F, x3, xi + 2 * LANES), pEven3);
            pEven3 = e2.fma(FloatVector.fromArray(F, x3, xi + 4 * LANES), pEven3);
            pEven3 = e3.fma(FloatVector.fromArray(F, x3, xi + 6 * LANES), pEven3);
            even3 = pEven3.fma(d, even3);
            FloatVector pOdd3 = o0.mul(FloatVector.fromArray(F, x3, xi + LANES));
            pOdd3 = o1.fma(FloatVector.fromArray(F, x3, xi + 3 * LANES), pOdd3);
            pOdd3 = o2.fma(FloatVector.fromArray(F, x3, xi + 5 * LANES), pOdd3);
            pOdd3 = o3.fma(FloatVector.fromArray(F, x3, xi + 7 * LANES), pOdd3);
            odd3 = pOdd3.fma(d, odd3);
          }
          // Σ_b offset_b·Σx_b of each activation row, as dotRows sums it.
          MultiRows.offsetSum(offsets, rows.blockSums(t), blocks, offsetSums, 0);
          MultiRows.offsetSum(offsets, rows.blockSums(t1), blocks, offsetSums, 1);
          MultiRows.offsetSum(offsets, rows.blockSums(t2), blocks, offsetSums, 2);
          MultiRows.offsetSum(offsets, rows.blockSums(t3), blocks, offsetSums, 3);
          outs[t][r] =
              even0
                  .add(odd0)
                  .sub(FloatVector.fromArray(F, offsetSums, 0 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t1][r] =
              even1
                  .add(odd1)
                  .sub(FloatVector.fromArray(F, offsetSums, 1 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t2][r] =
              even2
                  .add(odd2)
                  .sub(FloatVector.fromArray(F, offsetSums, 2 * LANES))
                  .reduceLanes(VectorOperators.ADD);
          outs[t3][r] =
              even3
                  .add(odd3)
                  .sub(FloatVector.fromArray(F, offsetSums, 3 * LANES))
                  .reduceLanes(VectorOperators.ADD);
        }
      }
    }
  }

  /**
   * A row's F16 block scales spread to {@code laneScales}, and each block's offset into {@code
   * offsets} (what the row's sum subtracts per unit of Σx: 16·d, or −m), a vector at a time; lanes
   * past the last block become zero. A method of its own so that the kernel's loop stays within
   * what C2 inlines (called once a row, it returns nothing that would need a box).
   */
  private static void decodeScales(
      MemorySegment row, int blocks, boolean minimums, float[] offsets, float[] laneScales) {
    VectorMask<Float> inRow;
    for (int b = 0; b < blocks; b += LANES) {
      inRow = F.indexInRange(b, blocks);
      FloatVector d =
          Half.toFloatVector(
              ShortVector.fromMemorySegment(HALVES, row, 2L * b, ByteOrder.LITTLE_ENDIAN));
      d = ZEROS.blend(d, inRow);
      OrderedNibbles.spreadScales(d, laneScales, b);
      if (minimums) {
        // Read at most to the row's fifth bits, which start 16-byte aligned after the minimums.
        FloatVector m =
            Half.toFloatVector(
                ShortVector.fromMemorySegment(
                    HALVES, row, 2L * (blocks + b), ByteOrder.LITTLE_ENDIAN));
        ZEROS.blend(m.neg(), inRow).intoArray(offsets, b);
      } else {
        d.mul(16f).intoArray(offsets, b);
      }
    }
  }

  @Override
  long nibblesAt(int cols) {
    return nibbleStart(cols / BLOCK);
  }

  @Override
  long fifthBitsAt(int cols) {
    return bitsStart(cols / BLOCK);
  }

  @Override
  void blockScales(MemorySegment w, long row, int cols, float[] scales, float[] offsets) {
    header.blockScales(w, row, cols / BLOCK, scales, offsets);
  }
}
