package dev.cromwell.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The cached keys and values of one layer, as {@link Attention} reads them: float32, or IEEE half
 * floats widened lane by lane while they are read (half the memory, never converted whole).
 */
public sealed interface KvRows {
  /** Dot product of {@code q[qOff..qOff+n)} with the key at element offset {@code at}. */
  float keyDot(float[] q, int qOff, int at, int n);

  /** {@code out[outOff..] += weight × value at element offset at}. */
  void addValue(float weight, int at, float[] out, int outOff, int n);

  /** Float32 keys and values. */
  record F32(float[] keys, float[] values) implements KvRows {
    @Override
    public float keyDot(float[] q, int qOff, int at, int n) {
      return FloatOps.dot(q, qOff, keys, at, n);
    }

    @Override
    public void addValue(float weight, int at, float[] out, int outOff, int n) {
      FloatOps.axpy(weight, values, at, out, outOff, n);
    }
  }

  /** Half-precision keys and values. */
  record F16(short[] keys, short[] values) implements KvRows {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final VectorSpecies<Short> S = VectorWidth.SHORT_PER_FLOAT;

    @Override
    public float keyDot(float[] q, int qOff, int at, int n) {
      int lanes = F.length();
      int upper = F.loopBound(n);
      FloatVector acc = FloatVector.zero(F);
      int i = 0;
      for (; i < upper; i += lanes) {
        FloatVector k = Half.toFloatVector(ShortVector.fromArray(S, keys, at + i));
        acc = FloatVector.fromArray(F, q, qOff + i).fma(k, acc);
      }
      float sum = acc.reduceLanes(VectorOperators.ADD);
      for (; i < n; i++) {
        sum += q[qOff + i] * Half.toFloat(keys[at + i]);
      }
      return sum;
    }

    @Override
    public void addValue(float weight, int at, float[] out, int outOff, int n) {
      int lanes = F.length();
      int upper = F.loopBound(n);
      FloatVector w = FloatVector.broadcast(F, weight);
      int i = 0;
      for (; i < upper; i += lanes) {
        Half.toFloatVector(ShortVector.fromArray(S, values, at + i))
            .fma(w, FloatVector.fromArray(F, out, outOff + i))
            .intoArray(out, outOff + i);
      }
      for (; i < n; i++) {
        out[outOff + i] += weight * Half.toFloat(values[at + i]);
      }
    }
  }
}
