package dev.cromwell.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/** IEEE half-precision weights. */
public final class F16Format extends SixteenBitFormat {
  static final F16Format INSTANCE = new F16Format();

  private F16Format() {}

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
    return Half.toFloatVector(bits);
  }

  @Override
  short narrow(float value) {
    return Half.fromFloat(value);
  }
}
