package dev.cromwell.kernels;

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
public final class Q5_KGroupedFormat implements RearrangedFormat {
  public static final Q5_KGroupedFormat INSTANCE = new Q5_KGroupedFormat();

  private static final int SUPER = 256;
  private static final int GGML_SUPER_BYTES = 176;
  private static final int BLOCK = OrderedNibbles.BLOCK;
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int LANES = F.length();
  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;

  /** Multiplying bits 0–3 by this puts bit i at bit 8i + 4 (copies at 4, 11, 18, 25). */
  private static final int SPREAD = 1 << 4 | 1 << 11 | 1 << 18 | 1 << 25;

  /** Where {@link #SPREAD} leaves the bits. */
  private static final int FIFTH_BITS = 0x10101010;

  private Q5_KGroupedFormat() {}

  /** Whether rows of {@code cols} weights can be rearranged into this format. */
  public static boolean supports(int cols) {
    return Q4_KGroupedFormat.supports(cols);
  }

  @Override
  public GgmlType type() {
    return GgmlType.Q5_K;
  }

  /** Bytes from a row's start to its fifth bits: the header, padded to 16 bytes. */
  private static long bitsStart(int supers) {
    return (Q4_KGroupedFormat.headerBytes(supers) + 15) / 16 * 16;
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
  public void rearrange(MemorySegment ggml, MemorySegment target, long rows, int cols) {
    requireSupported(cols);
    int supers = cols / SUPER;
    RearrangedFormat.rewriteRows(
        this, ggml, target, rows, cols, (in, out) -> fromGgml(in, out, supers));
  }

  /** One row: GGML's super-blocks in {@code ggml} to this layout in {@code out}. */
  private static void fromGgml(byte[] ggml, byte[] out, int supers) {
    MemorySegment in = MemorySegment.ofArray(ggml);
    int bits = (int) bitsStart(supers);
    int[] q = new int[SUPER];
    for (int s = 0; s < supers; s++) {
      int block = s * GGML_SUPER_BYTES;
      Q4_KGroupedFormat.copyHeader(in, block, out, s, supers);
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
    for (int r = from; r < to; r++) {
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      Q4_KGroupedFormat.decodeHeader(row, supers, work);
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

  /** Decodes whole rows: {@code offset} must be a row start and {@code n} the row length. */
  @Override
  public void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    int supers = n / SUPER;
    int blocks = n / BLOCK;
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(blocks);
    for (int b = 0; b < blocks; b++) {
      work.scales[b] = Q4_KGroupedFormat.scale(w, offset, supers, b);
      work.offsets[b] = Q4_KGroupedFormat.min(w, offset, supers, b);
    }
    OrderedNibbles.decode(
        w,
        offset + nibbleStart(supers),
        offset + bitsStart(supers),
        n,
        0,
        work.scales,
        work.offsets,
        out,
        outOffset);
  }

  @Override
  public void dequantizeReference(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    int supers = n / SUPER;
    long bits = offset + bitsStart(supers);
    long nibbles = offset + nibbleStart(supers);
    for (int i = 0; i < n; i++) {
      int b = i / BLOCK;
      int shift = OrderedNibbles.fifthBitShift(i % 8);
      int fifth = (w.get(ValueLayout.JAVA_BYTE, bits + i / 8) >>> shift) & 1;
      float q = OrderedNibbles.nibble(w, nibbles, i) | fifth << 4;
      out[outOffset + i] =
          Q4_KGroupedFormat.scale(w, offset, supers, b) * q
              - Q4_KGroupedFormat.min(w, offset, supers, b);
    }
  }

  /** Encodes {@code values} as one row: GGML's Q5_K rounding, then this layout. */
  @Override
  public byte[] quantize(float[] values) {
    requireSupported(values.length);
    byte[] ggml = WeightFormat.of(GgmlType.Q5_K).quantize(values);
    byte[] grouped = new byte[(int) rowBytes(values.length)];
    rearrange(MemorySegment.ofArray(ggml), MemorySegment.ofArray(grouped), 1, values.length);
    return grouped;
  }

  private static void requireSupported(int n) {
    if (!supports(n)) {
      throw new IllegalArgumentException(
          "grouped Q5_K rows hold a multiple of " + SUPER + " weights, not " + n);
    }
  }
}
