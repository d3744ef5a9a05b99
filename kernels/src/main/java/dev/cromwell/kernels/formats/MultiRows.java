package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the multi-row kernels ({@link WeightFormat#dotRowsBatch}) share: how many activation rows a
 * pass over a weight row takes, and the offsets' sums. Each kernel writes its activation rows'
 * multiplications out in its own loop, in its one-row kernel's order (so the sums are the same
 * bits): helpers that take or return vectors were compiled on their own before the kernel, were
 * then not inlined into it, and boxed every vector (the 0.5B's 8-row step went from 0.85 to 4.3 s
 * under load).
 */
final class MultiRows {
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final int LANES = F.length();

  /**
   * Activation rows per pass over a weight row: the unpacking of a weight vector is the larger part
   * of a one-row kernel's work, so a pass shares it among as many rows as registers allow. Eight
   * rows' sixteen accumulators, the eight converted fields of a vector of weights and a scale fit
   * AVX-512's 32 vector registers; a pass of up to four rows runs a loop of its own (C2 unswitches
   * it on the pass's width), so two or three sequences pay for four rows, not eight.
   */
  static final int ROWS = 8;

  private static final ThreadLocal<float[]> OFFSET_SUMS =
      ThreadLocal.withInitial(() -> new float[ROWS * LANES]);

  private MultiRows() {}

  /** The calling thread's room for a pass's {@link #offsetSum}s: ROWS vectors. */
  static float[] offsetSums() {
    return OFFSET_SUMS.get();
  }

  /**
   * Σ_b offsets[b]·sums[b] over the row's blocks, a vector at a time, into vector {@code k} of
   * {@code into}: the one-row kernels' sum of what the blocks' offsets take away.
   */
  static void offsetSum(float[] offsets, float[] sums, int blocks, float[] into, int k) {
    FloatVector sum = FloatVector.zero(F);
    for (int b = 0; b < blocks; b += LANES) {
      sum = FloatVector.fromArray(F, offsets, b).fma(FloatVector.fromArray(F, sums, b), sum);
    }
    sum.intoArray(into, k * LANES);
  }
}
