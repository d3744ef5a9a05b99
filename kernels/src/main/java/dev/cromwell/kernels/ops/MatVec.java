package dev.cromwell.kernels.ops;

import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.WeightFormat;
import java.lang.foreign.MemorySegment;

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
