package dev.cromwell.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Attention} over a KV cache stored as IEEE half floats: keys and values are widened lane by
 * lane while they are read, so the cache takes half the memory and is never converted whole.
 */
public final class AttentionF16 {
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Short> S = VectorWidth.SHORT_PER_FLOAT;

  private AttentionF16() {}

  /** As {@link Attention#attend}, with F16 keys and values. */
  public static void attend(
      float[] q,
      short[] keys,
      short[] values,
      int positions,
      int heads,
      int kvHeads,
      int headDim,
      float[] out,
      float[] scores,
      WorkerPool pool) {
    int kvDim = kvHeads * headDim;
    int group = heads / kvHeads;
    float scale = (float) (1.0 / Math.sqrt(headDim));
    pool.parallelFor(
        heads,
        (from, to) -> {
          for (int h = from; h < to; h++) {
            int qOff = h * headDim;
            int kvOff = (h / group) * headDim;
            int sOff = h * positions;
            for (int t = 0; t < positions; t++) {
              scores[sOff + t] = dot(q, qOff, keys, t * kvDim + kvOff, headDim) * scale;
            }
            FloatOps.softmax(scores, sOff, positions);
            java.util.Arrays.fill(out, qOff, qOff + headDim, 0f);
            for (int t = 0; t < positions; t++) {
              axpy(scores[sOff + t], values, t * kvDim + kvOff, out, qOff, headDim);
            }
          }
        });
  }

  /** Dot product of floats with F16 values. */
  static float dot(float[] a, int aOff, short[] b, int bOff, int n) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    FloatVector acc = FloatVector.zero(F);
    int i = 0;
    for (; i < upper; i += lanes) {
      FloatVector bv = Half.toFloatVector(ShortVector.fromArray(S, b, bOff + i));
      acc = FloatVector.fromArray(F, a, aOff + i).fma(bv, acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += a[aOff + i] * Half.toFloat(b[bOff + i]);
    }
    return sum;
  }

  /** {@code out[outOff+i] += scale * x[xOff+i]} with F16 x. */
  static void axpy(float scale, short[] x, int xOff, float[] out, int outOff, int n) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    FloatVector s = FloatVector.broadcast(F, scale);
    int i = 0;
    for (; i < upper; i += lanes) {
      Half.toFloatVector(ShortVector.fromArray(S, x, xOff + i))
          .fma(s, FloatVector.fromArray(F, out, outOff + i))
          .intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] += scale * Half.toFloat(x[xOff + i]);
    }
  }
}
