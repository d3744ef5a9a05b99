package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.VectorWidth;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Plain little-endian float32 weights. */
public final class F32Format implements WeightFormat {
  static final F32Format INSTANCE = new F32Format();
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;

  private F32Format() {}

  @Override
  public GgmlType type() {
    return GgmlType.F32;
  }

  @Override
  public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    int lanes = F.length();
    int step = lanes * 2;
    int upper = n - n % step;
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = FloatVector.zero(F);
    int i = 0;
    for (; i < upper; i += step) {
      long at = offset + (long) i * Float.BYTES;
      FloatVector w0 = FloatVector.fromMemorySegment(F, w, at, ByteOrder.LITTLE_ENDIAN);
      FloatVector w1 =
          FloatVector.fromMemorySegment(
              F, w, at + (long) lanes * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
      acc0 = w0.fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
      acc1 = w1.fma(FloatVector.fromArray(F, x, xOffset + i + lanes), acc1);
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += w.get(Bytes.FLOAT, offset + (long) i * Float.BYTES) * x[xOffset + i];
    }
    return sum;
  }

  @Override
  public float dotReference(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += w.get(Bytes.FLOAT, offset + (long) i * Float.BYTES) * x[xOffset + i];
    }
    return sum;
  }

  @Override
  public void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    MemorySegment.copy(w, Bytes.FLOAT, offset, out, outOffset, n);
  }

  @Override
  public byte[] quantize(float[] values) {
    byte[] bytes = new byte[values.length * Float.BYTES];
    MemorySegment.copy(values, 0, MemorySegment.ofArray(bytes), Bytes.FLOAT, 0, values.length);
    return bytes;
  }
}
