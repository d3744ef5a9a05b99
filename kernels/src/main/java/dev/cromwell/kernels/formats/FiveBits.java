package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.VectorWidth;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fifth bit of Q5_0/Q5_1 weights, vectorized: bit j of a block's 32-bit {@code qh} belongs to
 * weight j. For the int lanes that hold weights {@code part·lanes + i} (low nibbles) and {@code 16
 * + part·lanes + i} (high nibbles), returns 16 where the bit is set and 0 elsewhere.
 */
final class FiveBits {
  private static final VectorSpecies<Integer> I = VectorWidth.FLOAT.withLanes(int.class);
  private static final int PARTS = 16 / I.length();

  /** Shift counts per part: the weight index each lane holds, for the low and the high nibbles. */
  private static final IntVector[] LOW = new IntVector[PARTS];

  private static final IntVector[] HIGH = new IntVector[PARTS];

  static {
    for (int part = 0; part < PARTS; part++) {
      int[] low = new int[I.length()];
      int[] high = new int[I.length()];
      for (int i = 0; i < low.length; i++) {
        low[i] = part * I.length() + i;
        high[i] = 16 + part * I.length() + i;
      }
      LOW[part] = IntVector.fromArray(I, low, 0);
      HIGH[part] = IntVector.fromArray(I, high, 0);
    }
  }

  private FiveBits() {}

  /**
   * The 5-bit values of the weights whose low nibbles are in {@code bytes} (bytes on int lanes).
   */
  static IntVector lowValues(IntVector bytes, IntVector qh, int part) {
    return bytes.and(0x0f).or(low(qh, part));
  }

  /** The 5-bit values of the weights whose high nibbles are in {@code bytes}. */
  static IntVector highValues(IntVector bytes, IntVector qh, int part) {
    return bytes.lanewise(VectorOperators.ASHR, 4).and(0x0f).or(high(qh, part));
  }

  private static IntVector low(IntVector qh, int part) {
    return qh.lanewise(VectorOperators.LSHR, LOW[part]).and(1).lanewise(VectorOperators.LSHL, 4);
  }

  private static IntVector high(IntVector qh, int part) {
    return qh.lanewise(VectorOperators.LSHR, HIGH[part]).and(1).lanewise(VectorOperators.LSHL, 4);
  }
}
