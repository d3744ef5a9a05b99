package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.VectorWidth;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Weights stored one per 16 bits (F16 or BF16); subclasses say how 16 bits become a float. */
abstract sealed class SixteenBitFormat implements WeightFormat permits F16Format, Bf16Format {
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Short> S = VectorWidth.SHORT_PER_FLOAT;

  /** Widens one value. */
  abstract float widen(short bits);

  /** Widens a vector of values. */
  abstract FloatVector widen(ShortVector bits);

  /** Narrows one float, rounding to nearest even. */
  abstract short narrow(float value);

  @Override
  public final float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    int lanes = F.length();
    int step = lanes * 2;
    int upper = n - n % step;
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = FloatVector.zero(F);
    int i = 0;
    for (; i < upper; i += step) {
      long at = offset + (long) i * 2;
      FloatVector w0 = widen(ShortVector.fromMemorySegment(S, w, at, ByteOrder.LITTLE_ENDIAN));
      FloatVector w1 =
          widen(ShortVector.fromMemorySegment(S, w, at + lanes * 2L, ByteOrder.LITTLE_ENDIAN));
      acc0 = w0.fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
      acc1 = w1.fma(FloatVector.fromArray(F, x, xOffset + i + lanes), acc1);
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += widen(w.get(Bytes.SHORT, offset + (long) i * 2)) * x[xOffset + i];
    }
    return sum;
  }

  @Override
  public final float dotReference(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += widen(w.get(Bytes.SHORT, offset + (long) i * 2)) * x[xOffset + i];
    }
    return sum;
  }

  @Override
  public final void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    for (int i = 0; i < n; i++) {
      out[outOffset + i] = widen(w.get(Bytes.SHORT, offset + (long) i * 2));
    }
  }

  @Override
  public final byte[] quantize(float[] values) {
    byte[] bytes = new byte[values.length * 2];
    MemorySegment out = MemorySegment.ofArray(bytes);
    for (int i = 0; i < values.length; i++) {
      out.set(Bytes.SHORT, i * 2L, narrow(values[i]));
    }
    return bytes;
  }
}
