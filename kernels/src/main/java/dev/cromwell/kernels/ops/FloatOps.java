package dev.cromwell.kernels.ops;

import dev.cromwell.kernels.VectorWidth;
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

  /**
   * LayerNorm: {@code out = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias} ({@code bias} may
   * be {@code null}), over {@code n} elements.
   */
  public static void layerNorm(
      float[] out, float[] x, float[] weight, float[] bias, int n, float eps) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    FloatVector sums = FloatVector.zero(F);
    int i = 0;
    for (; i < upper; i += lanes) {
      sums = sums.add(FloatVector.fromArray(F, x, i));
    }
    float sum = sums.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      sum += x[i];
    }
    float mean = sum / n;
    FloatVector squares = FloatVector.zero(F);
    i = 0;
    for (; i < upper; i += lanes) {
      FloatVector d = FloatVector.fromArray(F, x, i).sub(mean);
      squares = d.fma(d, squares);
    }
    float variance = squares.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      variance += (x[i] - mean) * (x[i] - mean);
    }
    float inverse = (float) (1.0 / Math.sqrt(variance / n + eps));
    i = 0;
    for (; i < upper; i += lanes) {
      FloatVector v =
          FloatVector.fromArray(F, x, i)
              .sub(mean)
              .mul(inverse)
              .mul(FloatVector.fromArray(F, weight, i));
      if (bias != null) {
        v = v.add(FloatVector.fromArray(F, bias, i));
      }
      v.intoArray(out, i);
    }
    for (; i < n; i++) {
      out[i] = (x[i] - mean) * inverse * weight[i] + (bias == null ? 0f : bias[i]);
    }
  }

  /**
   * RMSNorm of each of {@code heads} consecutive heads of {@code headDim} elements in place, with
   * one weight vector shared by all heads (Qwen3's and Gemma 3's Q/K norm).
   */
  public static void rmsnormHeads(float[] x, int heads, int headDim, float[] weight, float eps) {
    for (int h = 0; h < heads; h++) {
      int off = h * headDim;
      float sum = 0;
      for (int i = 0; i < headDim; i++) {
        sum += x[off + i] * x[off + i];
      }
      float inverse = (float) (1.0 / Math.sqrt(sum / headDim + eps));
      for (int i = 0; i < headDim; i++) {
        x[off + i] = x[off + i] * inverse * weight[i];
      }
    }
  }

  /** {@code x[i] *= factor} for i in [0, n) (Gemma's embedding scale). */
  public static void scale(float[] x, int n, float factor) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    int i = 0;
    for (; i < upper; i += lanes) {
      FloatVector.fromArray(F, x, i).mul(factor).intoArray(x, i);
    }
    for (; i < n; i++) {
      x[i] *= factor;
    }
  }

  /**
   * Soft-capping: {@code x[off+i] = cap · tanh(x[off+i] / cap)} for i in [0, n), which bounds
   * values to (-cap, cap) (Gemma 2's attention and output logits).
   */
  public static void softCap(float[] x, int off, int n, float cap) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    float inverse = 1f / cap;
    int i = 0;
    for (; i < upper; i += lanes) {
      FloatVector.fromArray(F, x, off + i)
          .mul(inverse)
          .lanewise(VectorOperators.TANH)
          .mul(cap)
          .intoArray(x, off + i);
    }
    for (; i < n; i++) {
      x[off + i] = (float) (cap * Math.tanh(x[off + i] * inverse));
    }
  }

  /**
   * GELU in place, the tanh approximation every GGUF runtime uses: {@code 0.5·x·(1 + tanh(√(2/π)·(x
   * + 0.044715·x³)))}.
   */
  public static void gelu(float[] x, int n) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    int i = 0;
    for (; i < upper; i += lanes) {
      geluOf(FloatVector.fromArray(F, x, i)).intoArray(x, i);
    }
    for (; i < n; i++) {
      x[i] = geluOf(x[i]);
    }
  }

  /** GeGLU's gate: {@code gate[i] = gelu(gate[i]) * up[i]}. */
  public static void geluMul(float[] gate, float[] up, int n) {
    int lanes = F.length();
    int upper = F.loopBound(n);
    int i = 0;
    for (; i < upper; i += lanes) {
      geluOf(FloatVector.fromArray(F, gate, i))
          .mul(FloatVector.fromArray(F, up, i))
          .intoArray(gate, i);
    }
    for (; i < n; i++) {
      gate[i] = geluOf(gate[i]) * up[i];
    }
  }

  private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

  private static FloatVector geluOf(FloatVector x) {
    FloatVector inner = x.mul(x).mul(0.044715f).add(1f).mul(x).mul(SQRT_2_OVER_PI);
    return inner.lanewise(VectorOperators.TANH).add(1f).mul(x).mul(0.5f);
  }

  private static float geluOf(float x) {
    return (float) (0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))));
  }
}
