package dev.cromwell.kernels.ops;

import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.WeightFormat;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Matrix × vector over row-major GGML weights: {@code out[r] = dot(row r, x)}. */
public final class MatVec {
  private MatVec() {}

  /**
   * Computes {@code rows} dot products of the weight rows starting at {@code offset} with {@code
   * x[0..cols)}, split across the pool.
   */
  public static void matvec(
      WeightFormat format,
      MemorySegment weights,
      long offset,
      float[] x,
      float[] out,
      int rows,
      int cols,
      WorkerPool pool) {
    long rowBytes = format.rowBytes(cols);
    pool.parallelFor(
        rows, (from, to) -> format.dotRows(weights, offset, rowBytes, x, cols, out, from, to));
  }

  /**
   * One row's dot product through {@link WeightFormat#dotRows}, for formats that keep their kernel
   * there. dotRows reads x from index 0, so x is copied when it starts elsewhere; decode calls
   * dotRows directly, so this stays off its path.
   */
  public static float dotThroughRows(
      WeightFormat format, MemorySegment weights, long offset, float[] x, int xOffset, int n) {
    float[] row = xOffset == 0 ? x : Arrays.copyOfRange(x, xOffset, xOffset + n);
    float[] result = new float[1];
    format.dotRows(weights, offset, 0, row, n, result, 0, 1);
    return result[0];
  }

  /** Scalar reference of {@link #matvec}, single-threaded. */
  public static void matvecReference(
      WeightFormat format,
      MemorySegment weights,
      long offset,
      float[] x,
      float[] out,
      int rows,
      int cols) {
    long rowBytes = format.rowBytes(cols);
    for (int r = 0; r < rows; r++) {
      out[r] = format.dotReference(weights, offset + r * rowBytes, x, 0, cols);
    }
  }
}
