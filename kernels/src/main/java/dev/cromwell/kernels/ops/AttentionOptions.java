package dev.cromwell.kernels.ops;

/**
 * How the dot products of a query with the cached keys become the scores its softmax sees.
 *
 * @param scale factor of every dot product ({@code 1/√headDim} in most models)
 * @param softCap when positive, scores become {@code softCap · tanh(score / softCap)} (Gemma 2)
 * @param window when positive, a query sees only the last {@code window} positions, its own
 *     included (sliding-window layers of Gemma 2 and 3)
 */
public record AttentionOptions(float scale, float softCap, int window) {

  /** Plain causal attention scaled by {@code 1/√headDim}. */
  public static AttentionOptions standard(int headDim) {
    return new AttentionOptions((float) (1.0 / Math.sqrt(headDim)), 0f, 0);
  }

  /** Soft-caps and masks {@code scores[off..off+positions)} in place, before the softmax. */
  void shape(float[] scores, int off, int positions) {
    if (softCap > 0) {
      FloatOps.softCap(scores, off, positions, softCap);
    }
    if (window > 0) {
      // A masked score's exponent is exactly zero, so the weighted sum skips it.
      for (int p = 0; p < positions - window; p++) {
        scores[off + p] = Float.NEGATIVE_INFINITY;
      }
    }
  }
}
