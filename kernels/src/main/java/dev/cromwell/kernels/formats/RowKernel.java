package dev.cromwell.kernels.formats;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One row's dot product through {@link WeightFormat#dotRows}, for formats that keep their kernel
 * there (Q8_0, Q4_0, the rearranged layouts). dotRows reads x from index 0, so x is copied when it
 * starts elsewhere; decode calls dotRows directly, so this stays off its path.
 */
final class RowKernel {
  private RowKernel() {}

  static float dot(
      WeightFormat format, MemorySegment weights, long offset, float[] x, int xOffset, int n) {
    float[] row = xOffset == 0 ? x : Arrays.copyOfRange(x, xOffset, xOffset + n);
    float[] result = new float[1];
    format.dotRows(weights, offset, 0, row, n, result, 0, 1);
    return result[0];
  }
}
