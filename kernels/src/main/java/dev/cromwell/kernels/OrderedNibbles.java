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
 * The kernel shared by the rearranged 4-bit layouts ({@link Q4_0GroupedFormat}, {@link
 * Q4_KGroupedFormat}): 4-bit weights stored in weight order, two per byte (even weight in the low
 * nibble), in blocks of 32 that each have a scale and an offset: weight = scale·q − offset.
 *
 * <p>A 32-bit lane of a vector of nibbles then holds eight consecutive weights of one block, nibble
 * k at bits 4k. The decode kernels mask nibble k in place and convert it to float without shifting
 * it down — it stands for {@code q × 16^k} — and multiply it with x pre-scaled by {@code 16^-k}
 * (exact: a power of two; {@link #scaledX}). Per 16 weights that is two integer and two
 * floating-point operations. The offsets are taken out once per row as {@code Σ_b offset_b·Σx_b}
 * ({@link #blockSums}).
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

  /** Lane i takes the scale of block i / 4: a lane holds 8 of a block's 32 weights. */
  static final VectorShuffle<Float> BLOCK_OF_LANE = VectorShuffle.fromOp(F, lane -> lane / 4);

  /** Byte j of a vector to lanes 2j and 2j + 1 (dequantize, first half of the bytes). */
  private static final VectorShuffle<Integer> PAIRS_LOW = VectorShuffle.fromOp(I, lane -> lane / 2);

  /** The same for the second half of the bytes. */
  private static final VectorShuffle<Integer> PAIRS_HIGH =
      VectorShuffle.fromOp(I, lane -> LANES / 2 + lane / 2);

  /** 0, 4, 0, 4, …: even lanes keep the low nibble, odd lanes shift the high one down. */
  private static final IntVector NIBBLE_SHIFTS = IntVector.fromArray(I, nibbleShifts(), 0);

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

  /** Room for a row's scales or offsets: whole vectors, plus the reach of the last scale load. */
  static float[] perBlock(int blocks) {
    return new float[(blocks + LANES - 1) / LANES * LANES + LANES];
  }

  /**
   * x in the order {@link #dot} reads it: for each run of 8·LANES weights, vector k holds the x of
   * weight 8·lane + k divided by 16^k (by 1 for k = 7, which the kernel shifts down).
   */
  static float[] scaledX(float[] x, int n) {
    float[] scaled = new float[n];
    for (int base = 0; base < n; base += 8 * LANES) {
      for (int k = 0; k < 8; k++) {
        float placeValue = k < 7 ? Math.scalb(1f, -4 * k) : 1f;
        for (int lane = 0; lane < LANES; lane++) {
          scaled[base + k * LANES + lane] = x[base + 8 * lane + k] * placeValue;
        }
      }
    }
    return scaled;
  }

  /** Σx over each block of 32, padded with zeros like {@link #perBlock}. */
  static float[] blockSums(float[] x, int blocks) {
    float[] sums = perBlock(blocks);
    for (int b = 0; b < blocks; b++) {
      FloatVector sum = FloatVector.fromArray(F, x, b * BLOCK);
      for (int i = LANES; i < BLOCK; i += LANES) {
        sum = sum.add(FloatVector.fromArray(F, x, b * BLOCK + i));
      }
      sums[b] = sum.reduceLanes(VectorOperators.ADD);
    }
    return sums;
  }

  /**
   * Decodes block {@code block} of the nibbles at {@code nibbles}: {@code out[at + j] = (q_j −
   * bias)·scale − offset}, in that order of operations, so that it equals the scalar formulas of
   * GGML's formats bit for bit.
   */
  static void decodeBlock(
      MemorySegment w,
      long nibbles,
      int block,
      int bias,
      float scale,
      float offset,
      float[] out,
      int at) {
    // LANES bytes hold 2·LANES weights: the first LANES go to one vector, the rest to the next.
    for (int i = 0; i < BLOCK; i += 2 * LANES) {
      IntVector bytes =
          (IntVector)
              ByteVector.fromMemorySegment(
                      B, w, nibbles + (block * BLOCK + i) / 2, ByteOrder.LITTLE_ENDIAN)
                  .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
      weights(bytes.rearrange(PAIRS_LOW), bias).mul(scale).sub(offset).intoArray(out, at + i);
      weights(bytes.rearrange(PAIRS_HIGH), bias)
          .mul(scale)
          .sub(offset)
          .intoArray(out, at + i + LANES);
    }
  }

  /** Even lanes' low nibbles and odd lanes' high nibbles, minus {@code bias}, as float. */
  private static FloatVector weights(IntVector pairs, int bias) {
    return (FloatVector)
        pairs
            .lanewise(VectorOperators.LSHR, NIBBLE_SHIFTS)
            .and(0x0f)
            .sub(bias)
            .convert(VectorOperators.I2F, 0);
  }

  /** Nibble {@code i} of the nibbles at {@code nibbles} (scalar references). */
  static int nibble(MemorySegment w, long nibbles, int i) {
    int packed = w.get(ValueLayout.JAVA_BYTE, nibbles + i / 2) & 0xff;
    return i % 2 == 0 ? packed & 0x0f : packed >>> 4;
  }

  /** Packs 4-bit values (one per entry) in weight order, two per byte, into {@code out[at..]}. */
  static void pack(int[] nibbles, byte[] out, int at) {
    for (int t = 0; t < nibbles.length / 2; t++) {
      out[at + t] = (byte) (nibbles[2 * t] | nibbles[2 * t + 1] << 4);
    }
  }
}
