package dev.cromwell.kernels;

import dev.cromwell.kernels.formats.F16Format;
import dev.cromwell.kernels.formats.FourBitGroupedFormat;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** IEEE half precision (F16) and bfloat16 conversions, scalar and vectorized. */
public final class Half {
  static final VectorSpecies<Integer> INT = VectorWidth.FLOAT.withLanes(int.class);

  private Half() {}

  /** F16 bits to float. */
  public static float toFloat(short bits) {
    return Float.float16ToFloat(bits);
  }

  /** Float to F16 bits, rounding to nearest even. */
  public static short fromFloat(float value) {
    return Float.floatToFloat16(value);
  }

  /** BF16 bits to float: BF16 is the upper half of a float. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** Float to BF16 bits, rounding to nearest even (NaN stays NaN). */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /**
   * Widens F16 lanes to float lanes with integer operations only.
   *
   * <p>Shifting the 15 magnitude bits into float position and multiplying by 2^112 rebases the
   * exponent and handles subnormals exactly; infinities and NaNs get an all-ones exponent.
   */
  public static FloatVector toFloatVector(ShortVector halves) {
    IntVector widened = (IntVector) halves.convertShape(VectorOperators.S2I, INT, 0);
    IntVector magnitude = widened.and(0x7fff);
    IntVector sign = widened.and(0x8000).lanewise(VectorOperators.LSHL, 16);
    IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
    IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
    VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7c00);
    IntVector bits = finite.blend(shifted.or(0x7f800000), special);
    return bits.or(sign).reinterpretAsFloats();
  }

  /**
   * Widens F16 lanes that hold finite values to float lanes in four operations, exactly (subnormals
   * included). Inf and NaN come out as finite values of at least 2^16 in magnitude, so this is for
   * values checked at load ({@link FourBitGroupedFormat#accepts}, {@link F16Format#forWeights}).
   *
   * <p>Sign extension puts copies of the sign in bits 16–31; shifted by 13, the sign lands in bits
   * 28–31 and the exponent and mantissa in their float places, and clearing bits 28–30 leaves the
   * sign in bit 31 alone. Multiplying by 2^112 rebases the exponent.
   */
  public static FloatVector finiteToFloatVector(ShortVector halves) {
    IntVector widened = (IntVector) halves.convertShape(VectorOperators.S2I, INT, 0);
    return widened
        .lanewise(VectorOperators.LSHL, 13)
        .and(0x8fffffff)
        .reinterpretAsFloats()
        .mul(0x1p112f);
  }

  /** Widens BF16 lanes to float lanes. */
  public static FloatVector bf16ToFloatVector(ShortVector halves) {
    IntVector widened = (IntVector) halves.convertShape(VectorOperators.S2I, INT, 0);
    return widened.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }
}
