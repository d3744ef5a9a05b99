package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Half;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/** bfloat16 weights: the upper 16 bits of a float32. */
public final class Bf16Format extends SixteenBitFormat {
  static final Bf16Format INSTANCE = new Bf16Format();

  private Bf16Format() {}

  @Override
  public GgmlType type() {
    return GgmlType.BF16;
  }

  @Override
  float widen(short bits) {
    return Half.bf16ToFloat(bits);
  }

  @Override
  FloatVector widen(ShortVector bits) {
    return Half.bf16ToFloatVector(bits);
  }

  @Override
  short narrow(float value) {
    return Half.floatToBf16(value);
  }
}
