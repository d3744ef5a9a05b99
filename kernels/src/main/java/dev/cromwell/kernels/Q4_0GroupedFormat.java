package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0 weights rearranged at load time for decoding: the same scales and nibbles as GGML's Q4_0, in
 * an order that takes fewer instructions per weight and loads only aligned vectors.
 *
 * <p>A row of {@code n} weights (n a multiple of {@value #GROUP}) holds first the {@code n / 32}
 * F16 block scales, zeros up to the next multiple of 64 bytes, then the nibbles of all weights in
 * order, two per byte, the even weight in the low nibble: weight {@code w} is nibble {@code w % 2}
 * of byte {@code w / 2}; its value is {@code d[w / 32] × (nibble − 8)}. Rows are a multiple of 64
 * bytes long ({@link #rowBytes}: 0–4% more than GGML's), so in 64-byte aligned memory every vector
 * of nibbles is aligned. GGML's layout instead puts each scale in front of its 16 bytes and pairs
 * weight j with weight j + 16.
 *
 * <p>Why it is faster: a 32-bit lane of a vector of nibbles holds eight consecutive weights of one
 * block, nibble k at bits 4k. The kernel masks nibble k in place and converts it to float without
 * shifting it down — it stands for {@code q × 16^k} — and multiplies it with x pre-scaled by {@code
 * 16^-k} (exact: a power of two). The − 8 is taken out once per row as {@code −8 Σ_b d_b Σx_b}, and
 * the block scales of a row are converted once into a small array. Per 16 weights that is two
 * integer and two floating-point operations, against a widening load, a shift and two table lookups
 * plus the scale's conversion for GGML's layout, and no load crosses a cache line. Measured
 * (docs/PERFORMANCE.md, 2 threads): 0.5B Q4_0 decode at 256-bit vectors 25.8 → 35–38 tokens/s,
 * Cromwell-1.2B 10.4 → 17.4; at 512 bits, where decode waits on memory rather than on these
 * instructions, 43.2 → 43.8. Unaligned (rows of GGML's size) it ran 29.9 and 41.4.
 *
 * <p>Only {@code --load copy} uses it: a mapped file cannot be rearranged.
 */
public final class Q4_0GroupedFormat implements WeightFormat {
  public static final Q4_0GroupedFormat INSTANCE = new Q4_0GroupedFormat();

  /** Weights per group: one 64-byte load of nibbles. Row lengths must be a multiple of it. */
  public static final int GROUP = 128;

  private static final int BLOCK = Q4_0Format.BLOCK;
  private static final int BLOCK_BYTES = Q4_0Format.BLOCK_BYTES;
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int LANES = F.length();
  private static final VectorSpecies<Short> HALVES = VectorWidth.SHORT_PER_FLOAT;
  private static final FloatVector ZEROS = FloatVector.zero(F);

  /** Bytes of L lanes' nibbles as one byte vector per float vector (dequantize). */
  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;

  /** Lane i takes the scale of block i / 4: a lane holds 8 of a block's 32 weights. */
  private static final VectorShuffle<Float> SCALE_PER_LANE =
      VectorShuffle.fromOp(F, lane -> lane / 4);

  /** Byte j of a vector to lanes 2j and 2j + 1 (dequantize, first half of the bytes). */
  private static final VectorShuffle<Integer> PAIRS_LOW = VectorShuffle.fromOp(I, lane -> lane / 2);

  /** The same for the second half of the bytes. */
  private static final VectorShuffle<Integer> PAIRS_HIGH =
      VectorShuffle.fromOp(I, lane -> LANES / 2 + lane / 2);

  /** 0, 4, 0, 4, …: even lanes keep the low nibble, odd lanes shift the high one down. */
  private static final IntVector NIBBLE_SHIFTS = IntVector.fromArray(I, nibbleShifts(), 0);

  private Q4_0GroupedFormat() {}

  private static int[] nibbleShifts() {
    int[] shifts = new int[LANES];
    for (int lane = 0; lane < LANES; lane++) {
      shifts[lane] = (lane % 2) * 4;
    }
    return shifts;
  }

  /** Whether rows of {@code cols} weights can be rearranged into this format. */
  public static boolean supports(int cols) {
    return cols > 0 && cols % GROUP == 0;
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
    requireGroups(n);
    int blocks = n / BLOCK;
    return nibbleStart(blocks) + 16L * blocks;
  }

  /**
   * Writes {@code rows} rows of GGML Q4_0 weights from {@code ggml} into {@code grouped} in this
   * format ({@code rows × rowBytes(cols)} bytes), and returns the format that reads them.
   *
   * @throws IllegalArgumentException if the row length is not a multiple of {@value #GROUP} or a
   *     segment is too small
   */
  public static WeightFormat rearrange(
      MemorySegment ggml, MemorySegment grouped, long rows, int cols) {
    long groupedRowBytes = INSTANCE.rowBytes(cols);
    int blocks = cols / BLOCK;
    int ggmlRowBytes = blocks * BLOCK_BYTES;
    if (ggml.byteSize() < rows * ggmlRowBytes || grouped.byteSize() < rows * groupedRowBytes) {
      throw new IllegalArgumentException(
          rows
              + " Q4_0 rows of "
              + cols
              + " weights need "
              + rows * ggmlRowBytes
              + " bytes and "
              + rows * groupedRowBytes
              + " grouped");
    }
    byte[] in = new byte[ggmlRowBytes];
    byte[] out = new byte[(int) groupedRowBytes];
    for (long r = 0; r < rows; r++) {
      MemorySegment.copy(ggml, ValueLayout.JAVA_BYTE, r * ggmlRowBytes, in, 0, ggmlRowBytes);
      fromGgml(in, out, blocks);
      MemorySegment.copy(out, 0, grouped, ValueLayout.JAVA_BYTE, r * groupedRowBytes, out.length);
    }
    return INSTANCE;
  }

  /** One row: GGML's blocks in {@code ggml} to this layout in {@code grouped}. */
  private static void fromGgml(byte[] ggml, byte[] grouped, int blocks) {
    int nibbles = (int) nibbleStart(blocks);
    for (int b = 0; b < blocks; b++) {
      int block = b * BLOCK_BYTES;
      grouped[2 * b] = ggml[block];
      grouped[2 * b + 1] = ggml[block + 1];
      for (int t = 0; t < 16; t++) {
        // Weights 2t and 2t + 1 of the block; GGML keeps weight m < 16 in the low nibble of byte
        // m and weight m ≥ 16 in the high nibble of byte m − 16.
        grouped[nibbles + b * 16 + t] =
            (byte) (ggmlNibble(ggml, block, 2 * t) | ggmlNibble(ggml, block, 2 * t + 1) << 4);
      }
    }
  }

  private static int ggmlNibble(byte[] ggml, int block, int m) {
    int packed = ggml[block + 2 + m % 16] & 0xff;
    return m < 16 ? packed & 0x0f : packed >>> 4;
  }

  /** Through {@link #dotRows}, where the kernel lives. */
  @Override
  public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    return MatVec.dotThroughRows(this, w, offset, x, xOffset, n);
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
    requireGroups(cols);
    int blocks = cols / BLOCK;
    int vectors = cols / (8 * LANES);
    float[] scaledX = scaledX(x, cols);
    float[] blockSums = blockSums(x, blocks);
    // Room for the scale loads of the last vector, which read LANES floats from LANES / 4 × v.
    float[] scales = new float[blockSums.length + LANES];
    long nibbles = nibbleStart(blocks);
    for (int r = from; r < to; r++) {
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + 16L * blocks);
      // A vector of scales at a time (a scalar loop cost 15% of decode); lanes past the last
      // block are zero, so that they add nothing to the offsets below. (A masked load instead
      // fell back to scalar code: 4× slower decode.)
      for (int b = 0; b < blocks; b += LANES) {
        FloatVector converted =
            Half.toFloatVector(
                ShortVector.fromMemorySegment(HALVES, row, 2L * b, ByteOrder.LITTLE_ENDIAN));
        ZEROS.blend(converted, F.indexInRange(b, blocks)).intoArray(scales, b);
      }
      FloatVector low = FloatVector.zero(F);
      FloatVector high = FloatVector.zero(F);
      // One vector of nibbles holds 8 weights per lane: 8·LANES weights, LANES / 4 blocks.
      for (int v = 0; v < vectors; v++) {
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
        FloatVector d = FloatVector.fromArray(F, scales, LANES / 4 * v).rearrange(SCALE_PER_LANE);
        low = p.fma(d, low);
        high = s.fma(d, high);
      }
      FloatVector offsets = FloatVector.zero(F);
      for (int b = 0; b < blocks; b += LANES) {
        offsets =
            FloatVector.fromArray(F, scales, b)
                .fma(FloatVector.fromArray(F, blockSums, b), offsets);
      }
      out[r] = offsets.mul(-8f).add(low).add(high).reduceLanes(VectorOperators.ADD);
    }
  }

  /**
   * x in the order the kernel reads it: for each group and part of LANES lanes, vector k holds the
   * x of weight 8·lane + k, divided by 16^k (16^0 for k = 7, which the kernel shifts down).
   */
  private static float[] scaledX(float[] x, int cols) {
    float[] scaled = new float[cols];
    for (int base = 0; base < cols; base += 8 * LANES) {
      for (int k = 0; k < 8; k++) {
        float placeValue = k < 7 ? Math.scalb(1f, -4 * k) : 1f;
        for (int lane = 0; lane < LANES; lane++) {
          scaled[base + k * LANES + lane] = x[base + 8 * lane + k] * placeValue;
        }
      }
    }
    return scaled;
  }

  /** Σx over each block of 32, padded with zeros to a multiple of LANES. */
  private static float[] blockSums(float[] x, int blocks) {
    float[] sums = new float[(blocks + LANES - 1) / LANES * LANES];
    for (int b = 0; b < blocks; b++) {
      FloatVector sum = FloatVector.fromArray(F, x, b * BLOCK);
      for (int i = LANES; i < BLOCK; i += LANES) {
        sum = sum.add(FloatVector.fromArray(F, x, b * BLOCK + i));
      }
      sums[b] = sum.reduceLanes(VectorOperators.ADD);
    }
    return sums;
  }

  private static void requireGroups(int n) {
    if (!supports(n)) {
      throw new IllegalArgumentException(
          "grouped Q4_0 rows hold a multiple of " + GROUP + " weights, not " + n);
    }
  }

  @Override
  public float dotReference(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    float[] row = new float[n];
    dequantizeReference(w, offset, row, 0, n);
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += row[i] * x[xOffset + i];
    }
    return sum;
  }

  /** Decodes whole rows: {@code offset} must be a row start and {@code n} the row length. */
  @Override
  public void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireGroups(n);
    int blocks = n / BLOCK;
    long nibbles = offset + nibbleStart(blocks);
    for (int b = 0; b < blocks; b++) {
      FloatVector scale = FloatVector.broadcast(F, Bytes.half(w, offset + 2L * b));
      // LANES bytes hold 2·LANES weights: the first LANES go to one vector, the rest to the next.
      for (int at = 0; at < BLOCK; at += 2 * LANES) {
        IntVector bytes =
            (IntVector)
                ByteVector.fromMemorySegment(
                        B, w, nibbles + (b * BLOCK + at) / 2, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        int o = outOffset + b * BLOCK + at;
        weights(bytes.rearrange(PAIRS_LOW)).mul(scale).intoArray(out, o);
        weights(bytes.rearrange(PAIRS_HIGH)).mul(scale).intoArray(out, o + LANES);
      }
    }
  }

  /** Even lanes' low nibbles and odd lanes' high nibbles, minus 8, as float. */
  private static FloatVector weights(IntVector pairs) {
    return (FloatVector)
        pairs
            .lanewise(VectorOperators.LSHR, NIBBLE_SHIFTS)
            .and(0x0f)
            .sub(8)
            .convert(VectorOperators.I2F, 0);
  }

  @Override
  public void dequantizeReference(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireGroups(n);
    int blocks = n / BLOCK;
    for (int i = 0; i < n; i++) {
      float scale = Bytes.half(w, offset + 2L * (i / BLOCK));
      int packed = w.get(ValueLayout.JAVA_BYTE, offset + nibbleStart(blocks) + i / 2) & 0xff;
      int nibble = i % 2 == 0 ? packed & 0x0f : packed >>> 4;
      out[outOffset + i] = scale * (nibble - 8);
    }
  }

  /** Encodes {@code values} as one row: GGML's Q4_0 rounding, then this layout. */
  @Override
  public byte[] quantize(float[] values) {
    requireGroups(values.length);
    byte[] ggml = Q4_0Format.INSTANCE.quantize(values);
    byte[] grouped = new byte[(int) rowBytes(values.length)];
    fromGgml(ggml, grouped, values.length / BLOCK);
    return grouped;
  }
}
