package dev.cromwell.kernels.ops;

/** Scalar references of {@link FloatOps}, {@link Rope} and {@link Attention}: plain loops. */
public final class FloatOpsReference {
  private FloatOpsReference() {}

  public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  public static void axpy(float scale, float[] x, int xOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] += scale * x[xOff + i];
    }
  }

  public static void add(float[] acc, float[] x, int n) {
    for (int i = 0; i < n; i++) {
      acc[i] += x[i];
    }
  }

  public static void rmsnorm(float[] out, float[] x, float[] weight, int n, float eps) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += (double) x[i] * x[i];
    }
    double inverse = 1.0 / Math.sqrt(sum / n + eps);
    for (int i = 0; i < n; i++) {
      out[i] = (float) (x[i] * inverse * weight[i]);
    }
  }

  public static void softmax(float[] x, int off, int n) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, x[off + i]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double e = Math.exp(x[off + i] - max);
      x[off + i] = (float) e;
      sum += e;
    }
    for (int i = 0; i < n; i++) {
      x[off + i] = (float) (x[off + i] / sum);
    }
  }

  public static void siluMul(float[] gate, float[] up, int n) {
    for (int i = 0; i < n; i++) {
      double g = gate[i];
      gate[i] = (float) (g / (1.0 + Math.exp(-g)) * up[i]);
    }
  }

  /** Rotates each head of {@code x} in place for position {@code pos}. */
  public static void rope(
      float[] x, int off, int heads, int headDim, int pos, double base, boolean neox) {
    rope(x, off, heads, headDim, pos, base, neox, 1.0, null);
  }

  /** Rotates with scaled frequencies: {@code pos · freqScale · base^(-2i/d) / factors[i]}. */
  public static void rope(
      float[] x,
      int off,
      int heads,
      int headDim,
      int pos,
      double base,
      boolean neox,
      double freqScale,
      float[] factors) {
    int half = headDim / 2;
    for (int h = 0; h < heads; h++) {
      int head = off + h * headDim;
      for (int i = 0; i < half; i++) {
        double angle =
            pos
                * freqScale
                * Math.pow(base, -2.0 * i / headDim)
                / (factors == null ? 1 : factors[i]);
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        int a = neox ? head + i : head + 2 * i;
        int b = neox ? head + i + half : head + 2 * i + 1;
        double x0 = x[a];
        double x1 = x[b];
        x[a] = (float) (x0 * cos - x1 * sin);
        x[b] = (float) (x0 * sin + x1 * cos);
      }
    }
  }

  /** Causal grouped-query attention of one query position over {@code positions} cached ones. */
  public static void attention(
      float[] q,
      float[] keys,
      float[] values,
      int positions,
      int heads,
      int kvHeads,
      int headDim,
      float[] out) {
    attention(
        q,
        keys,
        values,
        positions,
        heads,
        kvHeads,
        headDim,
        AttentionOptions.standard(headDim),
        out);
  }

  /** As above, scores scaled, soft-capped and windowed as {@code options} say. */
  public static void attention(
      float[] q,
      float[] keys,
      float[] values,
      int positions,
      int heads,
      int kvHeads,
      int headDim,
      AttentionOptions options,
      float[] out) {
    int kvDim = kvHeads * headDim;
    int group = heads / kvHeads;
    double scale = options.scale();
    for (int h = 0; h < heads; h++) {
      int kvOff = (h / group) * headDim;
      double[] scores = new double[positions];
      double max = Double.NEGATIVE_INFINITY;
      for (int t = 0; t < positions; t++) {
        double s = 0;
        for (int d = 0; d < headDim; d++) {
          s += (double) q[h * headDim + d] * keys[t * kvDim + kvOff + d];
        }
        scores[t] = s * scale;
        if (options.softCap() > 0) {
          scores[t] = options.softCap() * Math.tanh(scores[t] / options.softCap());
        }
        if (options.window() > 0 && t < positions - options.window()) {
          scores[t] = Double.NEGATIVE_INFINITY;
        }
        max = Math.max(max, scores[t]);
      }
      double sum = 0;
      for (int t = 0; t < positions; t++) {
        scores[t] = Math.exp(scores[t] - max);
        sum += scores[t];
      }
      for (int d = 0; d < headDim; d++) {
        double acc = 0;
        for (int t = 0; t < positions; t++) {
          acc += scores[t] / sum * values[t * kvDim + kvOff + d];
        }
        out[h * headDim + d] = (float) acc;
      }
    }
  }

  public static void layerNorm(
      float[] out, float[] x, float[] weight, float[] bias, int n, float eps) {
    double mean = 0;
    for (int i = 0; i < n; i++) {
      mean += x[i];
    }
    mean /= n;
    double variance = 0;
    for (int i = 0; i < n; i++) {
      variance += (x[i] - mean) * (x[i] - mean);
    }
    double inverse = 1.0 / Math.sqrt(variance / n + eps);
    for (int i = 0; i < n; i++) {
      out[i] = (float) ((x[i] - mean) * inverse * weight[i] + (bias == null ? 0 : bias[i]));
    }
  }

  public static void rmsnormHeads(float[] x, int heads, int headDim, float[] weight, float eps) {
    float[] head = new float[headDim];
    for (int h = 0; h < heads; h++) {
      System.arraycopy(x, h * headDim, head, 0, headDim);
      rmsnorm(head, head, weight, headDim, eps);
      System.arraycopy(head, 0, x, h * headDim, headDim);
    }
  }

  public static void scale(float[] x, int n, float factor) {
    for (int i = 0; i < n; i++) {
      x[i] *= factor;
    }
  }

  public static void softCap(float[] x, int off, int n, float cap) {
    for (int i = 0; i < n; i++) {
      x[off + i] = (float) (cap * Math.tanh(x[off + i] / (double) cap));
    }
  }

  public static double gelu(double x) {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
  }

  public static void gelu(float[] x, int n) {
    for (int i = 0; i < n; i++) {
      x[i] = (float) gelu(x[i]);
    }
  }

  public static void geluMul(float[] gate, float[] up, int n) {
    for (int i = 0; i < n; i++) {
      gate[i] = (float) (gelu(gate[i]) * up[i]);
    }
  }
}
