package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Weight matrix × a batch of activation vectors, for prompt processing: {@code outs[t][r] = dot(row
 * r, xs[t])}. Each weight row is decoded once into a float buffer that stays in L1 and multiplied
 * with four token vectors at a time (a register-blocked micro-kernel), so the cost of decoding
 * quantized blocks is shared by the whole batch.
 */
public final class MatMul {
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final ThreadLocal<float[][]> ROW = ThreadLocal.withInitial(() -> new float[1][0]);

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
          float[][] holder = ROW.get();
          if (holder[0].length < cols) {
            holder[0] = new float[cols];
          }
          float[] row = holder[0];
          for (int r = from; r < to; r++) {
            format.dequantize(weights, offset + r * rowBytes, row, 0, cols);
            int t = 0;
            for (; t + 4 <= count; t += 4) {
              dot4(row, xs[t], xs[t + 1], xs[t + 2], xs[t + 3], cols, outs, t, r);
            }
            for (; t < count; t++) {
              outs[t][r] = FloatOps.dot(row, 0, xs[t], 0, cols);
            }
          }
        });
  }

  /** Four dot products sharing each load of the weight row. */
  private static void dot4(
      float[] w,
      float[] x0,
      float[] x1,
      float[] x2,
      float[] x3,
      int n,
      float[][] outs,
      int t,
      int r) {
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = FloatVector.zero(F);
    FloatVector a2 = FloatVector.zero(F);
    FloatVector a3 = FloatVector.zero(F);
    int lanes = F.length();
    int upper = F.loopBound(n);
    int i = 0;
    for (; i < upper; i += lanes) {
      FloatVector wv = FloatVector.fromArray(F, w, i);
      a0 = wv.fma(FloatVector.fromArray(F, x0, i), a0);
      a1 = wv.fma(FloatVector.fromArray(F, x1, i), a1);
      a2 = wv.fma(FloatVector.fromArray(F, x2, i), a2);
      a3 = wv.fma(FloatVector.fromArray(F, x3, i), a3);
    }
    float s0 = a0.reduceLanes(VectorOperators.ADD);
    float s1 = a1.reduceLanes(VectorOperators.ADD);
    float s2 = a2.reduceLanes(VectorOperators.ADD);
    float s3 = a3.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s0 += w[i] * x0[i];
      s1 += w[i] * x1[i];
      s2 += w[i] * x2[i];
      s3 += w[i] * x3[i];
    }
    outs[t][r] = s0;
    outs[t + 1][r] = s1;
    outs[t + 2][r] = s2;
    outs[t + 3][r] = s3;
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
