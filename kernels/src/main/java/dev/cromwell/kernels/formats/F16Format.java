package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.Half;
import dev.cromwell.kernels.VectorWidth;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** IEEE half-precision weights. */
public final class F16Format extends SixteenBitFormat {
  static final F16Format INSTANCE = new F16Format(false);

  /**
   * For matrices whose every weight is finite ({@link #forWeights}): widens with {@link
   * Half#finiteToFloatVector}, four operations instead of ten. 0.5B F16 decode was at 0.69–0.85 of
   * llama.cpp, which widens with one instruction (vcvtph2ps) that the Vector API does not expose.
   */
  public static final F16Format FINITE = new F16Format(true);

  private static final VectorSpecies<Short> S = VectorWidth.SHORT_PER_FLOAT;

  private final boolean finite;

  private F16Format(boolean finite) {
    this.finite = finite;
  }

  /**
   * The format for the {@code count} F16 weights at {@code data}: {@link #FINITE} if none is Inf or
   * NaN, else the general one, which widens those as IEEE does.
   */
  public static F16Format forWeights(MemorySegment data, long count) {
    int lanes = S.length();
    long i = 0;
    for (; i + lanes <= count; i += lanes) {
      ShortVector bits = ShortVector.fromMemorySegment(S, data, 2 * i, ByteOrder.LITTLE_ENDIAN);
      if (bits.and((short) 0x7c00).compare(VectorOperators.EQ, (short) 0x7c00).anyTrue()) {
        return INSTANCE;
      }
    }
    for (; i < count; i++) {
      if (!Float.isFinite(Bytes.half(data, 2 * i))) {
        return INSTANCE;
      }
    }
    return FINITE;
  }

  @Override
  public GgmlType type() {
    return GgmlType.F16;
  }

  @Override
  float widen(short bits) {
    return Half.toFloat(bits);
  }

  @Override
  FloatVector widen(ShortVector bits) {
    return finite ? Half.finiteToFloatVector(bits) : Half.toFloatVector(bits);
  }

  @Override
  short narrow(float value) {
    return Half.fromFloat(value);
  }
}
