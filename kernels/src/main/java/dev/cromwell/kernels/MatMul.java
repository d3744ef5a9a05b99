package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Weight matrix × a batch of activation vectors, for prompt processing: {@code outs[t][r] = dot(row
 * r, xs[t])}. Each weight row is decoded once into a float buffer that stays in L1, and rows are
 * multiplied two at a time with four token vectors at a time (a register-blocked 2×4 micro-kernel),
 * so the cost of decoding quantized blocks is shared by the whole batch.
 */
public final class MatMul {
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;

  /** Per-thread buffers for the two weight rows being multiplied, decoded once per batch. */
  private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[2][0]);

  private MatMul() {}

  /** Multiplies {@code rows × cols} weights with {@code count} vectors {@code xs[0..count)}. */
  public static void matmul(
      WeightFormat format,
      MemorySegment weights,
      long offset,
      float[][] xs,
      float[][] outs,
      int count,
      int rows,
      int cols,
      WorkerPool pool) {
    long rowBytes = format.rowBytes(cols);
    pool.parallelFor(
        rows,
        (from, to) -> {
          float[][] buffers = ROWS.get();
          if (buffers[0].length < cols) {
            buffers[0] = new float[cols];
            buffers[1] = new float[cols];
          }
          float[] row0 = buffers[0];
          float[] row1 = buffers[1];
          int r = from;
          for (; r + 2 <= to; r += 2) {
            format.dequantize(weights, offset + r * rowBytes, row0, 0, cols);
            format.dequantize(weights, offset + (r + 1) * rowBytes, row1, 0, cols);
            int t = 0;
            for (; t + 4 <= count; t += 4) {
              dot2x4(row0, row1, xs[t], xs[t + 1], xs[t + 2], xs[t + 3], cols, outs, t, r);
            }
            for (; t < count; t++) {
              outs[t][r] = FloatOps.dot(row0, 0, xs[t], 0, cols);
              outs[t][r + 1] = FloatOps.dot(row1, 0, xs[t], 0, cols);
            }
          }
          if (r < to) {
            format.dequantize(weights, offset + r * rowBytes, row0, 0, cols);
            for (int t = 0; t < count; t++) {
              outs[t][r] = FloatOps.dot(row0, 0, xs[t], 0, cols);
            }
          }
        });
  }

  /**
   * Eight dot products, two weight rows × four tokens: eight independent accumulators keep both FMA
   * units busy (FMA latency 4 cycles), and each step loads 6 vectors for 8 FMAs.
   */
  private static void dot2x4(
      float[] w0,
      float[] w1,
      float[] x0,
      float[] x1,
      float[] x2,
      float[] x3,
      int n,
      float[][] outs,
      int t,
      int r) {
    FloatVector a00 = FloatVector.zero(F);
    FloatVector a01 = FloatVector.zero(F);
    FloatVector a02 = FloatVector.zero(F);
    FloatVector a03 = FloatVector.zero(F);
    FloatVector a10 = FloatVector.zero(F);
    FloatVector a11 = FloatVector.zero(F);
    FloatVector a12 = FloatVector.zero(F);
    FloatVector a13 = FloatVector.zero(F);
    int lanes = F.length();
    int upper = F.loopBound(n);
    int i = 0;
    for (; i < upper; i += lanes) {
      FloatVector v0 = FloatVector.fromArray(F, w0, i);
      FloatVector v1 = FloatVector.fromArray(F, w1, i);
      FloatVector x = FloatVector.fromArray(F, x0, i);
      a00 = v0.fma(x, a00);
      a10 = v1.fma(x, a10);
      x = FloatVector.fromArray(F, x1, i);
      a01 = v0.fma(x, a01);
      a11 = v1.fma(x, a11);
      x = FloatVector.fromArray(F, x2, i);
      a02 = v0.fma(x, a02);
      a12 = v1.fma(x, a12);
      x = FloatVector.fromArray(F, x3, i);
      a03 = v0.fma(x, a03);
      a13 = v1.fma(x, a13);
    }
    outs[t][r] = a00.reduceLanes(VectorOperators.ADD);
    outs[t + 1][r] = a01.reduceLanes(VectorOperators.ADD);
    outs[t + 2][r] = a02.reduceLanes(VectorOperators.ADD);
    outs[t + 3][r] = a03.reduceLanes(VectorOperators.ADD);
    outs[t][r + 1] = a10.reduceLanes(VectorOperators.ADD);
    outs[t + 1][r + 1] = a11.reduceLanes(VectorOperators.ADD);
    outs[t + 2][r + 1] = a12.reduceLanes(VectorOperators.ADD);
    outs[t + 3][r + 1] = a13.reduceLanes(VectorOperators.ADD);
    // Columns past the last whole vector (rare: model widths are multiples of 16).
    for (; i < n; i++) {
      outs[t][r] += w0[i] * x0[i];
      outs[t + 1][r] += w0[i] * x1[i];
      outs[t + 2][r] += w0[i] * x2[i];
      outs[t + 3][r] += w0[i] * x3[i];
      outs[t][r + 1] += w1[i] * x0[i];
      outs[t + 1][r + 1] += w1[i] * x1[i];
      outs[t + 2][r + 1] += w1[i] * x2[i];
      outs[t + 3][r + 1] += w1[i] * x3[i];
    }
  }

  /** Scalar reference: one matvec reference per vector. */
  public static void matmulReference(
      WeightFormat format,
      MemorySegment weights,
      long offset,
      float[][] xs,
      float[][] outs,
      int count,
      int rows,
      int cols) {
    for (int t = 0; t < count; t++) {
      MatVec.matvecReference(format, weights, offset, xs[t], outs[t], rows, cols);
    }
  }
}
