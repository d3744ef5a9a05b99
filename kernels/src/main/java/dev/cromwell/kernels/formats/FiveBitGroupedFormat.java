package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
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
  void rearrangeRow(MemorySegment ggml, long from, MemorySegment out, long at, int cols) {
    int blocks = cols / BLOCK;
    long bits = at + bitsStart(blocks);
    long nibbles = at + nibbleStart(blocks);
    for (int b = 0; b < blocks; b++) {
      long highBits = header.copy(ggml, from, out, at, b, blocks);
      int word = ggml.get(Bytes.INT, highBits);
      out.set(Bytes.INT, bits + 4L * b, GgmlWords.fifthBitBytes(word));
      GgmlWords.packNibbles(ggml, highBits + 4, false, out, nibbles + 16L * b);
      GgmlWords.packNibbles(ggml, highBits + 4, true, out, nibbles + 16L * b + 8);
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
