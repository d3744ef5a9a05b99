package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.VectorWidth;
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
 * What the grouped layouts ({@link GroupedFormat}) share: 4-bit weights (the 5-bit types' low
 * nibbles) stored in weight order, two per byte (even weight in the low nibble), in blocks of 32
 * that each have a scale and an offset: weight = scale·q − offset.
 *
 * <p>A 32-bit lane of a vector of nibbles then holds eight consecutive weights of one block, nibble
 * k at bits 4k. The decode kernels mask nibble k in place and convert it to float without shifting
 * it down — it stands for {@code q × 16^k} — and multiply it with x pre-scaled by {@code 16^-k}
 * (exact: a power of two; {@link Workspace#scaledX}). Per 16 weights that is two integer and two
 * floating-point operations. The offsets are taken out once per row as {@code Σ_b offset_b·Σx_b}
 * ({@link Workspace#blockSums}).
 *
 * <p>The block loop itself is written out in each layout's {@code dotRows}, next to its own scale
 * decoding: C2 inlines neither a shared block loop into a row loop nor (reliably, it stops at its
 * node budget) a scale decoder into a shared row loop, and either call per row cost 10–35% of
 * decode speed at 896 weights a row.
 */
final class OrderedNibbles {
  /** Weights per block: one scale and one offset. */
  static final int BLOCK = 32;

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int LANES = F.length();

  /** LANES bytes: 2·LANES weights (dequantize). */
  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;

  /**
   * A vector of LANES block scales covers four vectors of nibbles (LANES / 4 blocks each: a lane
   * holds 8 of a block's 32 weights); shuffle u gives lane i of the u-th the scale of block LANES /
   * 4 · u + i / 4.
   */
  static final VectorShuffle<Float> SCALES_0 = scalesOfPart(0);

  static final VectorShuffle<Float> SCALES_1 = scalesOfPart(1);
  static final VectorShuffle<Float> SCALES_2 = scalesOfPart(2);
  static final VectorShuffle<Float> SCALES_3 = scalesOfPart(3);

  /**
   * Stores the scales of blocks {@code b .. b + LANES} spread to the lanes of the four vectors of
   * nibbles they cover ({@link Workspace#laneScales}).
   */
  static void spreadScales(FloatVector scales, float[] laneScales, int b) {
    int at = 4 * b;
    scales.rearrange(SCALES_0).intoArray(laneScales, at);
    scales.rearrange(SCALES_1).intoArray(laneScales, at + LANES);
    scales.rearrange(SCALES_2).intoArray(laneScales, at + 2 * LANES);
    scales.rearrange(SCALES_3).intoArray(laneScales, at + 3 * LANES);
  }

  private static VectorShuffle<Float> scalesOfPart(int part) {
    return VectorShuffle.fromOp(F, lane -> LANES / 4 * part + lane / 4);
  }

  /** Byte j of a vector to lanes 2j and 2j + 1 (dequantize, first half of the bytes). */
  static final VectorShuffle<Integer> PAIRS_LOW = VectorShuffle.fromOp(I, lane -> lane / 2);

  /** The same for the second half of the bytes. */
  static final VectorShuffle<Integer> PAIRS_HIGH =
      VectorShuffle.fromOp(I, lane -> LANES / 2 + lane / 2);

  /** The byte of fifth bits of weight {@code lane} (decode, first LANES weights). */
  private static final VectorShuffle<Integer> BITS_LOW = VectorShuffle.fromOp(I, lane -> lane / 8);

  /** The same for the next LANES weights. */
  private static final VectorShuffle<Integer> BITS_HIGH =
      VectorShuffle.fromOp(I, lane -> (LANES + lane) / 8);

  /** {@link #fifthBitShift} of each lane's weight. */
  private static final IntVector BIT_SHIFTS = IntVector.fromArray(I, bitShifts(), 0);

  private static int[] bitShifts() {
    int[] shifts = new int[LANES];
    for (int lane = 0; lane < LANES; lane++) {
      shifts[lane] = fifthBitShift(lane % 8);
    }
    return shifts;
  }

  /** 0, 4, 0, 4, …: even lanes keep the low nibble, odd lanes shift the high one down. */
  static final IntVector NIBBLE_SHIFTS = IntVector.fromArray(I, nibbleShifts(), 0);

  private OrderedNibbles() {}

  private static int[] nibbleShifts() {
    int[] shifts = new int[LANES];
    for (int lane = 0; lane < LANES; lane++) {
      shifts[lane] = (lane % 2) * 4;
    }
    return shifts;
  }

  /** Whether rows of {@code n} weights fill whole vectors of nibbles at every vector width. */
  static boolean fits(int n) {
    return n > 0 && n % 128 == 0;
  }

  /** Floats per block array: whole vectors, plus the reach of the last vector of scales. */
  private static int perBlock(int blocks) {
    return (blocks + LANES - 1) / LANES * LANES + LANES;
  }

  /**
   * A thread's arrays for one matvec: x reordered and pre-scaled, block sums of x, and room for a
   * row's scales, offsets and per-super-block factors. Reused across calls: allocated per call
   * (hundreds of times a token) they were garbage that helped grow the Java heap's young generation
   * (docs/PERFORMANCE.md, memory of the rearranged layouts).
   */
  static final class Workspace {
    float[] scaledX = new float[0];

    /** {@link #scaledX} again, 64-byte aligned, so that no vector load of it spans two lines. */
    MemorySegment alignedX = MemorySegment.NULL;

    float[] blockSums = new float[0];
    float[] scales = new float[0];
    float[] offsets = new float[0];
    float[] superD = new float[0];
    float[] superMin = new float[0];

    /**
     * Block scales spread to the lanes of each vector of nibbles: LANES floats per vector, stored
     * and loaded whole, so a load right after the store is forwarded from it (a load that spans two
     * stores waits until both reach the cache).
     */
    float[] laneScales = new float[0];

    /** {@link #laneScales} of a second row, for kernels that take two rows at a time. */
    private float[] secondLaneScales = new float[0];

    float[] secondLaneScales() {
      if (secondLaneScales.length < laneScales.length) {
        secondLaneScales = new float[laneScales.length];
      }
      return secondLaneScales;
    }

    /**
     * x in {@link #scaledX}'s order scaled for 5-bit fields at 8-bit spacing: weights 2j and 2j + 1
     * of a lane's eight by 256^-j ({@link FiveBitGroupedFormat}).
     */
    float[] byteFieldX = new float[0];

    /**
     * A factor times Σx of each run of eight weights, one lane's worth ({@link Q6_KGroupedFormat}).
     */
    float[] eightSums = new float[0];

    /**
     * Prepares the arrays for rows of {@code n} weights and vector {@code x}: fills {@link
     * #scaledX} and {@link #blockSums}, and zeroes every lane past the last block (or Q4_K
     * super-block of 256 weights) that the kernels read, so nothing of an earlier, larger matrix
     * leaks into the sums.
     */
    Workspace prepare(float[] x, int n) {
      int blocks = n / BLOCK;
      int perBlock = perBlock(blocks);
      if (scaledX.length < n) {
        scaledX = new float[n];
      }
      fit(blocks);
      fillOrdered(x, n, PLACE_VALUES, scaledX);
      if (alignedX.byteSize() < 4L * n) {
        alignedX = java.lang.foreign.Arena.ofAuto().allocate(4L * n, 64);
      }
      MemorySegment.copy(scaledX, 0, alignedX, ValueLayout.JAVA_FLOAT, 0, n);
      fillBlockSums(x, blocks, blockSums);
      java.util.Arrays.fill(blockSums, blocks, perBlock, 0f);
      java.util.Arrays.fill(offsets, blocks, perBlock, 0f);
      java.util.Arrays.fill(scales, blocks, perBlock, 0f);
      int supers = n / 256;
      java.util.Arrays.fill(superD, supers, perBlock, 0f);
      java.util.Arrays.fill(superMin, supers, perBlock, 0f);
      return this;
    }

    /** Fills {@link #byteFieldX} for rows of {@code n} weights and vector {@code x}. */
    Workspace withByteFieldX(float[] x, int n) {
      if (byteFieldX.length < n) {
        byteFieldX = new float[n];
      }
      fillOrdered(x, n, BYTE_FIELD_VALUES, byteFieldX);
      return this;
    }

    /**
     * Fills {@link #eightSums} with {@code factor}·Σx of each run of eight of the n weights of x.
     */
    Workspace withEightSums(float[] x, int n, float factor) {
      if (eightSums.length < n / 8) {
        eightSums = new float[n / 8];
      }
      for (int g = 0; g < n / 8; g++) {
        float sum = 0f;
        for (int k = 0; k < 8; k++) {
          sum += x[8 * g + k];
        }
        eightSums[g] = factor * sum;
      }
      return this;
    }

    /** Grows the per-block arrays to rows of {@code blocks} blocks; their contents are stale. */
    Workspace fit(int blocks) {
      int perBlock = perBlock(blocks);
      if (blockSums.length < perBlock) {
        blockSums = new float[perBlock];
        scales = new float[perBlock];
        offsets = new float[perBlock];
        superD = new float[perBlock];
        superMin = new float[perBlock];
        laneScales = new float[4 * perBlock];
      }
      return this;
    }
  }

  private static final ThreadLocal<Workspace> WORKSPACES = ThreadLocal.withInitial(Workspace::new);

  /** The calling thread's workspace, prepared for rows of {@code n} weights and {@code x}. */
  static Workspace workspace(float[] x, int n) {
    return WORKSPACES.get().prepare(x, n);
  }

  /** The calling thread's workspace with room for rows of {@code blocks} blocks (decoding). */
  static Workspace workspace(int blocks) {
    return WORKSPACES.get().fit(blocks);
  }

  /** 16^-k for nibble k, by which the kernels multiply x; 1 for k = 7, which they shift down. */
  private static final float[] PLACE_VALUES = {
    1f, 0x1p-4f, 0x1p-8f, 0x1p-12f, 0x1p-16f, 0x1p-20f, 0x1p-24f, 1f
  };

  /** 256^-j for weights 2j and 2j + 1: fields at bits 8j of two vectors (Q5_0). */
  private static final float[] BYTE_FIELD_VALUES = {
    1f, 1f, 0x1p-8f, 0x1p-8f, 0x1p-16f, 0x1p-16f, 0x1p-24f, 0x1p-24f
  };

  /**
   * x in the order the kernels read it: for each run of 8·LANES weights, vector k holds the x of
   * weight 8·lane + k times {@code factors[k]}.
   */
  private static void fillOrdered(float[] x, int n, float[] factors, float[] ordered) {
    for (int base = 0; base < n; base += 8 * LANES) {
      for (int k = 0; k < 8; k++) {
        float factor = factors[k];
        for (int lane = 0; lane < LANES; lane++) {
          ordered[base + k * LANES + lane] = x[base + 8 * lane + k] * factor;
        }
      }
    }
  }

  /** Σx over each block of 32. */
  private static void fillBlockSums(float[] x, int blocks, float[] sums) {
    for (int b = 0; b < blocks; b++) {
      FloatVector sum = FloatVector.fromArray(F, x, b * BLOCK);
      for (int i = LANES; i < BLOCK; i += LANES) {
        sum = sum.add(FloatVector.fromArray(F, x, b * BLOCK + i));
      }
      sums[b] = sum.reduceLanes(VectorOperators.ADD);
    }
  }

  /**
   * Decodes the {@code n} weights at {@code nibbles}: {@code out[at + i] = (q_i − bias)·scales[b] −
   * offsets[b]} for block {@code b = i / 32}, in that order of operations, so that it equals the
   * scalar formulas of GGML's formats bit for bit. q_i is nibble i, plus 16 times its fifth bit
   * when {@code fifthBits} is not negative: the offset of a byte per eight weights, the bit of
   * weight k of the eight at {@link #fifthBitShift}(k) (Q5_0). One method with no vector-valued
   * helpers, so that C2 compiles it whole (its first, partly interpreted versions allocated a
   * vector box per operation).
   */
  static void decode(
      MemorySegment w,
      long nibbles,
      long fifthBits,
      int n,
      int bias,
      float[] scales,
      float[] offsets,
      float[] out,
      int at) {
    // LANES bytes hold 2·LANES weights: the first LANES go to one vector, the rest to the next.
    // Their fifth bits are the first LANES / 4 of the LANES bytes read at fifthBits + i / 8 (the
    // rest, read past the bits into the row's nibbles, are not used).
    for (int i = 0; i < n; i += 2 * LANES) {
      float scale = scales[i / BLOCK];
      float offset = offsets[i / BLOCK];
      // Sign extension is harmless: every lane is shifted and masked to its nibble or bit.
      IntVector bytes =
          (IntVector)
              ByteVector.fromMemorySegment(B, w, nibbles + i / 2, ByteOrder.LITTLE_ENDIAN)
                  .castShape(I, 0);
      IntVector first = bytes.rearrange(PAIRS_LOW).lanewise(VectorOperators.LSHR, NIBBLE_SHIFTS);
      IntVector second = bytes.rearrange(PAIRS_HIGH).lanewise(VectorOperators.LSHR, NIBBLE_SHIFTS);
      first = first.and(0x0f);
      second = second.and(0x0f);
      if (fifthBits >= 0) {
        IntVector fifth =
            (IntVector)
                ByteVector.fromMemorySegment(B, w, fifthBits + i / 8, ByteOrder.LITTLE_ENDIAN)
                    .castShape(I, 0);
        // Bit to 16: shifted down to bit 0, masked, shifted up to bit 4.
        first =
            first.or(
                fifth
                    .rearrange(BITS_LOW)
                    .lanewise(VectorOperators.LSHR, BIT_SHIFTS)
                    .and(1)
                    .lanewise(VectorOperators.LSHL, 4));
        second =
            second.or(
                fifth
                    .rearrange(BITS_HIGH)
                    .lanewise(VectorOperators.LSHR, BIT_SHIFTS)
                    .and(1)
                    .lanewise(VectorOperators.LSHL, 4));
      }
      ((FloatVector) first.sub(bias).convert(VectorOperators.I2F, 0))
          .mul(scale)
          .sub(offset)
          .intoArray(out, at + i);
      ((FloatVector) second.sub(bias).convert(VectorOperators.I2F, 0))
          .mul(scale)
          .sub(offset)
          .intoArray(out, at + i + LANES);
    }
  }

  /**
   * Where Q5_0's fifth bit of weight k of eight sits in their byte: the even weights' bits in the
   * low half, the odd weights' in the high half ({@link FiveBitGroupedFormat}).
   */
  static int fifthBitShift(int k) {
    return k / 2 + (k % 2) * 4;
  }

  /** Nibble {@code i} of the nibbles at {@code nibbles} (scalar references). */
  static int nibble(MemorySegment w, long nibbles, int i) {
    int packed = w.get(ValueLayout.JAVA_BYTE, nibbles + i / 2) & 0xff;
    return i % 2 == 0 ? packed & 0x0f : packed >>> 4;
  }

  /**
   * Reorders one GGML Q4_0/Q5_0 block's 16 bytes of nibbles at {@code ggml[from..]} (weight j < 16
   * in the low nibble of byte j, weight j ≥ 16 in the high nibble of byte j − 16) into weight order
   * at {@code out[at..]}.
   */
  static void packGgmlBlock(byte[] ggml, int from, byte[] out, int at) {
    for (int t = 0; t < 16; t++) {
      int j = 2 * t;
      out[at + t] = (byte) (ggmlNibble(ggml, from, j) | ggmlNibble(ggml, from, j + 1) << 4);
    }
  }

  private static int ggmlNibble(byte[] ggml, int from, int j) {
    int packed = ggml[from + j % 16] & 0xff;
    return j < 16 ? packed & 0x0f : packed >>> 4;
  }

  /** Packs 4-bit values (one per entry) in weight order, two per byte, into {@code out[at..]}. */
  static void pack(int[] nibbles, byte[] out, int at) {
    for (int t = 0; t < nibbles.length / 2; t++) {
      out[at + t] = (byte) (nibbles[2 * t] | nibbles[2 * t + 1] << 4);
    }
  }
}
