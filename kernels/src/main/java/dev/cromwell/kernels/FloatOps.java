package dev.cromwell.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized element-wise and reduction kernels over float arrays. {@link FloatOpsReference} holds
 * the scalar reference of each; tests compare the two.
 */
public final class FloatOps {
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;

  private FloatOps() {}

  /** Dot product of {@code a[aOff..aOff+n)} and {@code b[bOff..bOff+n)}. */
  public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    FloatVector acc = FloatVector.zero(F);
    int i = 0;
    for (; i < upper; i += lanes) {
      acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  /** {@code out[outOff+i] += scale * x[xOff+i]} for i in [0, n). */
  public static void axpy(float scale, float[] x, int xOff, float[] out, int outOff, int n) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    int i = 0;
    for (; i < upper; i += lanes) {
      FloatVector.fromArray(F, x, xOff + i)
          .fma(FloatVector.broadcast(F, scale), FloatVector.fromArray(F, out, outOff + i))
          .intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] += scale * x[xOff + i];
    }
  }

  /** {@code acc[i] += x[i]} for i in [0, n): the residual connection. */
  public static void add(float[] acc, float[] x, int n) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    int i = 0;
    for (; i < upper; i += lanes) {
      FloatVector.fromArray(F, acc, i).add(FloatVector.fromArray(F, x, i)).intoArray(acc, i);
    }
    for (; i < n; i++) {
      acc[i] += x[i];
    }
  }

  /** RMSNorm: {@code out = x / sqrt(mean(x²) + eps) * weight}, over {@code n} elements. */
  public static void rmsnorm(float[] out, float[] x, float[] weight, int n, float eps) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    FloatVector squares = FloatVector.zero(F);
    int i = 0;
    for (; i < upper; i += lanes) {
      FloatVector v = FloatVector.fromArray(F, x, i);
      squares = v.fma(v, squares);
    }
    float sum = squares.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += x[i] * x[i];
    }
    float inverse = (float) (1.0 / Math.sqrt(sum / n + eps));
    i = 0;
    for (; i < upper; i += lanes) {
      FloatVector.fromArray(F, x, i)
          .mul(inverse)
          .mul(FloatVector.fromArray(F, weight, i))
          .intoArray(out, i);
    }
    for (; i < n; i++) {
      out[i] = x[i] * inverse * weight[i];
    }
  }

  /** Softmax of {@code x[off..off+n)} in place, shifted by the maximum for stability. */
  public static void softmax(float[] x, int off, int n) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    FloatVector maxV = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    int i = 0;
    for (; i < upper; i += lanes) {
      maxV = maxV.max(FloatVector.fromArray(F, x, off + i));
    }
    float max = maxV.reduceLanes(VectorOperators.MAX);
    for (; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    FloatVector sumV = FloatVector.zero(F);
    i = 0;
    for (; i < upper; i += lanes) {
      FloatVector e = FloatVector.fromArray(F, x, off + i).sub(max).lanewise(VectorOperators.EXP);
      e.intoArray(x, off + i);
      sumV = sumV.add(e);
    }
    float sum = sumV.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float e = (float) Math.exp(x[off + i] - max);
      x[off + i] = e;
      sum += e;
    }
    float inverse = 1f / sum;
    i = 0;
    for (; i < upper; i += lanes) {
      FloatVector.fromArray(F, x, off + i).mul(inverse).intoArray(x, off + i);
    }
    for (; i < n; i++) {
      x[off + i] *= inverse;
    }
  }

  /** SwiGLU's gate: {@code gate[i] = silu(gate[i]) * up[i]}, where silu(x) = x·sigmoid(x). */
  public static void siluMul(float[] gate, float[] up, int n) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    int i = 0;
    for (; i < upper; i += lanes) {
      FloatVector g = FloatVector.fromArray(F, gate, i);
      FloatVector sigmoidDenominator = g.neg().lanewise(VectorOperators.EXP).add(1f);
      g.div(sigmoidDenominator).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
    }
    for (; i < n; i++) {
      float g = gate[i];
      gate[i] = (float) (g / (1.0 + Math.exp(-g))) * up[i];
    }
  }
}
