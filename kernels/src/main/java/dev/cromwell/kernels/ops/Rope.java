package dev.cromwell.kernels.ops;

/**
 * Rotary position embedding with precomputed frequencies.
 *
 * <p>"Normal" ordering (GGUF {@code llama}) rotates adjacent pairs (x[2i], x[2i+1]); NeoX ordering
 * (GGUF {@code qwen2}) rotates (x[i], x[i + d/2]). The angle of pair i at position p is {@code p ·
 * base^(-2i/d)}.
 */
public final class Rope {
  private final int headDim;
  private final boolean neox;
  private final double[] inverseFrequencies;

  public Rope(int headDim, double base, boolean neox) {
    this(headDim, base, neox, 1.0, null);
  }

  /**
   * RoPE with scaled frequencies: pair i turns at {@code freqScale · base^(-2i/d) / factors[i]}.
   * {@code freqScale} is linear scaling's {@code 1 / factor} (DeepSeek-Coder, Gemma 3); {@code
   * factors} (may be {@code null}) are the per-pair divisors a GGUF stores as {@code rope_freqs}
   * (Llama 3.x's long-context scaling, computed once by the converter).
   */
  public Rope(int headDim, double base, boolean neox, double freqScale, float[] factors) {
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("RoPE needs an even head dimension, got " + headDim);
    }
    this.headDim = headDim;
    this.neox = neox;
    if (factors != null && factors.length != headDim / 2) {
      throw new IllegalArgumentException(
          "RoPE frequency factors: " + factors.length + " for " + headDim / 2 + " pairs");
    }
    this.inverseFrequencies = new double[headDim / 2];
    for (int i = 0; i < headDim / 2; i++) {
      double divisor = factors == null ? 1.0 : factors[i];
      inverseFrequencies[i] = freqScale * Math.pow(base, -2.0 * i / headDim) / divisor;
    }
  }

  /** Rotates {@code heads} consecutive heads of {@code x} starting at {@code off}, in place. */
  public void apply(float[] x, int off, int heads, int pos) {
    int half = headDim / 2;
    int pairStride = neox ? 1 : 2;
    int partnerDistance = neox ? half : 1;
    for (int i = 0; i < half; i++) {
      double angle = pos * inverseFrequencies[i];
      float cos = (float) Math.cos(angle);
      float sin = (float) Math.sin(angle);
      for (int h = 0; h < heads; h++) {
        int a = off + h * headDim + i * pairStride;
        int b = a + partnerDistance;
        float x0 = x[a];
        float x1 = x[b];
        x[a] = x0 * cos - x1 * sin;
        x[b] = x0 * sin + x1 * cos;
      }
    }
  }
}
