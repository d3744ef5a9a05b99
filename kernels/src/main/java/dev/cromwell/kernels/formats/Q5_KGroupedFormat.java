package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.natives.Prefetch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q5_K weights rearranged at load time for decoding: the numbers of GGML's Q5_K (weight = d·scale·q
 * − dmin·min per sub-block of 32, q of 5 bits), laid out like {@link Q4_KGroupedFormat} with the
 * fifth bits of {@link FiveBitGroupedFormat} in between. Q5_K is most of a "Q5_K_M" file wherever
 * rows fill 256-weight super-blocks (Qwen2.5-Coder-1.5B and larger, Cromwell-1.2B).
 *
 * <p>A row of {@code n} weights ({@code S = n / 256} super-blocks) holds Q4_K's grouped header (S
 * F16 d, S F16 dmin, 8S scale bytes, 8S min bytes), zeros to the next multiple of 16 bytes, one
 * byte of fifth bits per 8 weights in {@link FiveBitGroupedFormat}'s order, zeros to the next
 * multiple of 64 bytes, then the low nibbles in order ({@link OrderedNibbles}).
 *
 * <p>The kernel's loop is {@link FiveBitGroupedFormat}'s, written out here again on purpose: called
 * as a shared per-row method it decoded the 0.5B Q5_0 model at 26–32 tokens/s instead of 33 (C2
 * compiled it apart from the row loop).
 */
final class Q5_KGroupedFormat extends GroupedFormat {
  public static final Q5_KGroupedFormat INSTANCE = new Q5_KGroupedFormat();

  private static final int SUPER = KGroupedHeader.SUPER;
  private static final int GGML_SUPER_BYTES = 176;
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int LANES = F.length();
  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;

  /** Multiplying bits 0–3 by this puts bit i at bit 8i + 4 (copies at 4, 11, 18, 25). */
  private static final int SPREAD = 1 << 4 | 1 << 11 | 1 << 18 | 1 << 25;

  /** Where {@link #SPREAD} leaves the bits. */
  private static final int FIFTH_BITS = 0x10101010;

  private Q5_KGroupedFormat() {
    super(GgmlType.Q5_K, SUPER, 0);
  }

  /** Bytes from a row's start to its fifth bits: the header, padded to 16 bytes. */
  private static long bitsStart(int supers) {
    return (KGroupedHeader.bytes(supers) + 15) / 16 * 16;
  }

  /** Bytes from a row's start to its nibbles: header and fifth bits, padded to 64 bytes. */
  private static long nibbleStart(int supers) {
    return (bitsStart(supers) + 32L * supers + 63) / 64 * 64;
  }

  @Override
  public long rowBytes(int n) {
    requireSupported(n);
    int supers = n / SUPER;
    return nibbleStart(supers) + 128L * supers;
  }

  @Override
  long nibblesAt(int cols) {
    return nibbleStart(cols / SUPER);
  }

  @Override
  long fifthBitsAt(int cols) {
    return bitsStart(cols / SUPER);
  }

  @Override
  void blockScales(MemorySegment w, long row, int cols, float[] scales, float[] offsets) {
    KGroupedHeader.blockScales(w, row, cols / SUPER, scales, offsets);
  }

  @Override
  void fromGgml(byte[] ggml, byte[] out, int cols) {
    int supers = cols / SUPER;
    MemorySegment in = MemorySegment.ofArray(ggml);
    int bits = (int) bitsStart(supers);
    int[] q = new int[SUPER];
    for (int s = 0; s < supers; s++) {
      int block = s * GGML_SUPER_BYTES;
      KGroupedHeader.copy(in, block, out, s, supers);
      // GGML: weights 64c + l and 64c + 32 + l in the low and high nibble of byte 32c + l of
      // qs (at 48), their fifth bits in bits 2c and 2c + 1 of byte l of qh (at 16).
      for (int m = 0; m < SUPER; m++) {
        int chunk = m / 64;
        int l = m % 32;
        boolean upper = m % 64 >= 32;
        int packed = ggml[block + 48 + 32 * chunk + l] & 0xff;
        int nibble = upper ? packed >>> 4 : packed & 0x0f;
        int fifth = (ggml[block + 16 + l] >>> (2 * chunk + (upper ? 1 : 0))) & 1;
        q[m] = nibble;
        int i = SUPER * s + m;
        if (i % 8 == 0) {
          out[bits + i / 8] = 0; // the buffer holds the previous row
        }
        out[bits + i / 8] |= (byte) (fifth << OrderedNibbles.fifthBitShift(i % 8));
      }
      OrderedNibbles.pack(q, out, (int) nibbleStart(supers) + 128 * s);
    }
  }

  @Override
  void rearrangeRow(MemorySegment ggml, long from, MemorySegment out, long at, int cols) {
    int supers = cols / SUPER;
    long bits = at + bitsStart(supers);
    long nibbles = at + nibbleStart(supers);
    for (int s = 0; s < supers; s++) {
      long block = from + (long) s * GGML_SUPER_BYTES;
      KGroupedHeader.copy(ggml, block, out, at, s, supers);
      // Byte l of qh holds in bit j = 2c + u the fifth bit of weight 64c + 32u + l, so bit j of
      // qh's bytes 8g..8g+7 belongs to the eight weights 32j + 8g.. of the super-block.
      for (int g = 0; g < 4; g++) {
        long qh = ggml.get(Bytes.LONG, block + 16 + 8L * g);
        for (int j = 0; j < 8; j++) {
          out.set(ValueLayout.JAVA_BYTE, bits + 32L * s + 4 * j + g, GgmlWords.fifthBits(qh >>> j));
        }
      }
      KGroupedHeader.packChunks(ggml, block + 48, out, nibbles + 128L * s);
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
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(x, cols).withByteFieldX(x, cols);
    float[] fieldX = work.byteFieldX;
    float[] blockSums = work.blockSums;
    float[] laneScales = work.laneScales;
    float[] offsets = work.offsets;
    long bits = bitsStart(supers);
    long nibbles = nibbleStart(supers);
    long prefetched = Prefetch.start(w, offset + from * rowBytes);
    for (int r = from; r < to; r++) {
      prefetched = Prefetch.ahead(prefetched, w, offset + r * rowBytes);
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      KGroupedHeader.decode(row, supers, work);
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
      // Σ_b dmin·min_b·Σx_b.
      FloatVector offsetSum = FloatVector.zero(F);
      for (int b = 0; b < blocks; b += LANES) {
        offsetSum =
            FloatVector.fromArray(F, offsets, b)
                .fma(FloatVector.fromArray(F, blockSums, b), offsetSum);
      }
      out[r] = even.add(odd).sub(offsetSum).reduceLanes(VectorOperators.ADD);
    }
  }
}
