package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
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
public final class Q4_KGroupedFormat implements RearrangedFormat {
  public static final Q4_KGroupedFormat INSTANCE = new Q4_KGroupedFormat();

  private static final int SUPER = 256;
  private static final int GGML_SUPER_BYTES = 144;
  private static final int BLOCK = OrderedNibbles.BLOCK;
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;
  private static final int LANES = F.length();

  /** Lane i of a run of sub-blocks belongs to super-block i / 8. */
  private static final VectorShuffle<Float> SUPER_OF_LANE =
      VectorShuffle.fromOp(F, lane -> lane / 8);

  private Q4_KGroupedFormat() {}

  /** Whether rows of {@code cols} weights can be rearranged into this format. */
  public static boolean supports(int cols) {
    return cols > 0 && cols % SUPER == 0;
  }

  @Override
  public GgmlType type() {
    return GgmlType.Q4_K;
  }

  // Offsets inside a row of S super-blocks.
  private static long dmins(int supers) {
    return 2L * supers;
  }

  private static long scaleBytes(int supers) {
    return 4L * supers;
  }

  private static long minBytes(int supers) {
    return 12L * supers;
  }

  private static long nibbleStart(int supers) {
    return (headerBytes(supers) + 63) / 64 * 64;
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
    int[] q = new int[SUPER];
    for (int s = 0; s < supers; s++) {
      int block = s * GGML_SUPER_BYTES;
      copyHeader(in, block, out, s, supers);
      // GGML: 64 weights per 32 bytes, the first 32 in low nibbles, the next 32 in high ones.
      for (int m = 0; m < SUPER; m++) {
        int packed = ggml[block + 16 + 32 * (m / 64) + m % 32] & 0xff;
        q[m] = m % 64 < 32 ? packed & 0x0f : packed >>> 4;
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
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(x, cols);
    float[] scaledX = work.scaledX;
    float[] blockSums = work.blockSums;
    float[] laneScales = work.laneScales;
    float[] offsets = work.offsets;
    float[] superD = work.superD;
    float[] superMin = work.superMin;
    long nibbles = nibbleStart(supers);
    for (int r = from; r < to; r++) {
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      // The header inline, not through decodeHeader: called, it cost Q4_K decode 10%.
      for (int s = 0; s < supers; s++) {
        superD[s] = Bytes.half(row, 2L * s);
        superMin[s] = Bytes.half(row, dmins(supers) + 2L * s);
      }
      for (int b = 0; b < blocks; b += LANES) {
        FloatVector dOfLane = FloatVector.fromArray(F, superD, b / 8).rearrange(SUPER_OF_LANE);
        FloatVector minOfLane = FloatVector.fromArray(F, superMin, b / 8).rearrange(SUPER_OF_LANE);
        OrderedNibbles.spreadScales(bytes(row, scaleBytes(supers) + b).mul(dOfLane), laneScales, b);
        bytes(row, minBytes(supers) + b).mul(minOfLane).intoArray(offsets, b);
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

  /**
   * A row's header, at its start (shared with {@link Q5_KGroupedFormat}, which lays it out the
   * same): d·scale per sub-block spread to {@code work.laneScales}, dmin·min per sub-block into
   * {@code work.offsets}, LANES sub-blocks (LANES / 8 super-blocks) at a time.
   */
  static void decodeHeader(MemorySegment row, int supers, OrderedNibbles.Workspace work) {
    float[] superD = work.superD;
    float[] superMin = work.superMin;
    for (int s = 0; s < supers; s++) {
      superD[s] = Bytes.half(row, 2L * s);
      superMin[s] = Bytes.half(row, dmins(supers) + 2L * s);
    }
    for (int b = 0; b < 8 * supers; b += LANES) {
      FloatVector dOfLane = FloatVector.fromArray(F, superD, b / 8).rearrange(SUPER_OF_LANE);
      FloatVector minOfLane = FloatVector.fromArray(F, superMin, b / 8).rearrange(SUPER_OF_LANE);
      OrderedNibbles.spreadScales(
          bytes(row, scaleBytes(supers) + b).mul(dOfLane), work.laneScales, b);
      bytes(row, minBytes(supers) + b).mul(minOfLane).intoArray(work.offsets, b);
    }
  }

  /** Bytes of a row's header: S d, S dmin, 8S scales and 8S mins. */
  static long headerBytes(int supers) {
    return 20L * supers;
  }

  /**
   * Writes super-block {@code s}'s d, dmin, scales and mins, from GGML's block at {@code block}
   * (its first 16 bytes, which Q4_K and Q5_K share), into a row's header.
   */
  static void copyHeader(MemorySegment in, int block, byte[] out, int s, int supers) {
    MemorySegment row = MemorySegment.ofArray(out);
    row.set(Bytes.SHORT, 2L * s, in.get(Bytes.SHORT, block));
    row.set(Bytes.SHORT, dmins(supers) + 2L * s, in.get(Bytes.SHORT, block + 2));
    for (int j = 0; j < 8; j++) {
      out[(int) scaleBytes(supers) + 8 * s + j] = (byte) KScales.scale(in, block + 4, j);
      out[(int) minBytes(supers) + 8 * s + j] = (byte) KScales.min(in, block + 4, j);
    }
  }

  /** LANES unsigned bytes at {@code at}, as float. */
  private static FloatVector bytes(MemorySegment row, long at) {
    return (FloatVector)
        ((IntVector)
                ByteVector.fromMemorySegment(B, row, at, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0))
            .convert(VectorOperators.I2F, 0);
  }

  /** Decodes whole rows: {@code offset} must be a row start and {@code n} the row length. */
  @Override
  public void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    int supers = n / SUPER;
    int blocks = n / BLOCK;
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(blocks);
    for (int b = 0; b < blocks; b++) {
      work.scales[b] = scale(w, offset, supers, b);
      work.offsets[b] = min(w, offset, supers, b);
    }
    OrderedNibbles.decode(
        w, offset + nibbleStart(supers), -1, n, 0, work.scales, work.offsets, out, outOffset);
  }

  @Override
  public void dequantizeReference(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    int supers = n / SUPER;
    long nibbles = offset + nibbleStart(supers);
    for (int i = 0; i < n; i++) {
      int b = i / BLOCK;
      float q = OrderedNibbles.nibble(w, nibbles, i);
      out[outOffset + i] = scale(w, offset, supers, b) * q - min(w, offset, supers, b);
    }
  }

  /** d·scale of sub-block {@code b}, as GGML's Q4_K and Q5_K compute it. */
  static float scale(MemorySegment w, long row, int supers, int b) {
    float d = Bytes.half(w, row + 2L * (b / 8));
    return d * (w.get(ValueLayout.JAVA_BYTE, row + scaleBytes(supers) + b) & 0xff);
  }

  /** dmin·min of sub-block {@code b}. */
  static float min(MemorySegment w, long row, int supers, int b) {
    float dmin = Bytes.half(w, row + dmins(supers) + 2L * (b / 8));
    return dmin * (w.get(ValueLayout.JAVA_BYTE, row + minBytes(supers) + b) & 0xff);
  }

  /** Encodes {@code values} as one row: GGML's Q4_K rounding, then this layout. */
  @Override
  public byte[] quantize(float[] values) {
    requireSupported(values.length);
    byte[] ggml = Q4_KFormat.INSTANCE.quantize(values);
    byte[] grouped = new byte[(int) rowBytes(values.length)];
    rearrange(MemorySegment.ofArray(ggml), MemorySegment.ofArray(grouped), 1, values.length);
    return grouped;
  }

  private static void requireSupported(int n) {
    if (!supports(n)) {
      throw new IllegalArgumentException(
          "grouped Q4_K rows hold a multiple of " + SUPER + " weights, not " + n);
    }
  }
}
