package dev.cromwell.kernels.ops;

import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.WeightFormat;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Weight matrix × a batch of activation vectors, for prompt processing: {@code outs[t][r] = dot(row
 * r, xs[t])}. Each weight row is decoded once into a float buffer, so the cost of decoding
 * quantized blocks is shared by the whole batch. Whole groups of tokens go through {@link
 * OuterProductMatMul}; the tokens left over (fewer than a group) through register-blocked dot
 * products here: rows four (AVX-512) or two (AVX2) at a time with four token vectors at a time.
 */
public final class MatMul {
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;

  /**
   * Whether to multiply four rows at a time: the 4×4 kernel keeps 16 accumulators, four rows and a
   * token vector in registers, which AVX-512's 32 vector registers hold and AVX2's 16 do not (so
   * forced 256-bit runs, which stand for AVX2 machines, keep the 2×4 kernel). Measured when these
   * kernels ran all of prefill (0.5B Q8_0, 2 threads): pp512 137–162 → 176–186 tokens/s; 6×4 and
   * 4×6 spilled (152–167), 3×4 matched 4×4. They now take only the tokens short of a group of
   * {@link OuterProductMatMul}: short prompts and a chunk's remainder.
   */
  static final boolean FOUR_ROWS = VectorWidth.bits() >= 512;

  /** Per-thread buffers for the weight rows being multiplied, decoded once per batch. */
  private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[4][0]);

  /**
   * Up to this many tokens left after the outer products go through the one-token kernels, one pass
   * over the weights each, instead of decoding each weight row to floats for them: decoding a row
   * costs as much as several of its fused dot products. A decode step of two sequences on the 0.5B
   * at 2 threads took 47 ms through the decoded rows and 27 ms this way, of three 58 and 41 ms; at
   * four the decoded rows win (42 against 43–46 ms). Also short verify passes and a prompt's last
   * tokens. {@code -Dcromwell.matmul.matvecTokens=N} sets it; see docs/PERFORMANCE.md.
   */
  static final int MATVEC_TOKENS =
      Math.max(0, Integer.getInteger("cromwell.matmul.matvecTokens", 3));

  /**
   * From this many tokens left after the whole groups (21; 10 below 512 bits), they go through
   * {@link OuterProductMatMul} as one more group, padded with copies of the last token whose sums
   * are dropped: that costs a full group, which the dot products pass at about two thirds of one
   * (and sooner where the tokens are not a multiple of four: the last ones go one dot product at a
   * time). VerifyPassProbe (0.5B Q4_K_M mix, 2 threads, Xeon), ms a pass without → with: 512 bits,
   * 20 rows 189-223 (not padded), 21 224-240 → 202-222, 22 243-254 → 200-225, 24 216-222 → 200-205,
   * 28 250 → 202-204, 31 304-311 → 203-211, one group of 32 206-239; 256 bits, 10 219-283 →
   * 188-199, 13 227-232 → 189-199, 15 292-303 → 192-201, a group of 16 199-240. {@code
   * -Dcromwell.matmul.padFrom=N} sets it (a group or more turns it off); see docs/PERFORMANCE.md.
   */
  static final int PAD_FROM =
      Integer.getInteger("cromwell.matmul.padFrom", OuterProductMatMul.TOKENS * 2 / 3);

  /** The calling thread's sink for the padding tokens' sums. */
  private static final ThreadLocal<float[]> PADDING_SUMS =
      ThreadLocal.withInitial(() -> new float[0]);

  private MatMul() {}

  /**
   * Multiplies {@code rows × cols} weights with {@code count} vectors {@code xs[0..count)}: whole
   * groups of tokens (32; 16 below 512 bits) as outer products ({@link OuterProductMatMul}), the
   * rest as register-blocked dot products, or, up to {@link #MATVEC_TOKENS} of them, each through
   * {@link MatVec}, or, from {@link #PAD_FROM} of them, as one more group, padded.
   */
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
    int group = OuterProductMatMul.TOKENS;
    int outer = count / group * group;
    if (outer > 0) {
      OuterProductMatMul.matmul(format, weights, offset, xs, outs, outer, rows, cols, pool);
    }
    int left = count - outer;
    if (left >= PAD_FROM && left > MATVEC_TOKENS) {
      float[] dropped = PADDING_SUMS.get();
      if (dropped.length < rows) {
        dropped = new float[rows];
        PADDING_SUMS.set(dropped);
      }
      float[][] paddedXs = new float[group][];
      float[][] paddedOuts = new float[group][];
      for (int j = 0; j < group; j++) {
        paddedXs[j] = j < left ? xs[outer + j] : xs[count - 1];
        // Every padding token's sums go to one array: each row's are written by one worker.
        paddedOuts[j] = j < left ? outs[outer + j] : dropped;
      }
      OuterProductMatMul.matmul(
          format, weights, offset, paddedXs, paddedOuts, group, rows, cols, pool);
    } else if (left <= MATVEC_TOKENS) {
      for (int t = outer; t < count; t++) {
        MatVec.matvec(format, weights, offset, xs[t], outs[t], rows, cols, pool);
      }
    } else {
      dotProducts(format, weights, offset, xs, outs, outer, count, rows, cols, pool);
    }
  }

  /** Tokens {@code [first, count)} through the dot-product kernels. */
  private static void dotProducts(
      WeightFormat format,
      MemorySegment weights,
      long offset,
      float[][] xs,
      float[][] outs,
      int first,
      int count,
      int rows,
      int cols,
      WorkerPool pool) {
    long rowBytes = format.rowBytes(cols);
    pool.parallelFor(
        rows,
        (from, to) -> {
          float[][] rows4 = ROWS.get();
          if (rows4[0].length < cols) {
            for (int b = 0; b < rows4.length; b++) {
              rows4[b] = new float[cols];
            }
          }
          float[] row0 = rows4[0];
          float[] row1 = rows4[1];
          float[] row2 = rows4[2];
          float[] row3 = rows4[3];
          int r = from;
          for (; FOUR_ROWS && r + 4 <= to; r += 4) {
            for (int k = 0; k < 4; k++) {
              format.dequantize(weights, offset + (r + k) * rowBytes, rows4[k], 0, cols);
            }
            int t = first;
            for (; t + 4 <= count; t += 4) {
              dot4x4(row0, row1, row2, row3, xs, t, cols, outs, r);
            }
            remainingTokens(rows4, 4, xs, t, count, cols, outs, r);
          }
          for (; r + 2 <= to; r += 2) {
            format.dequantize(weights, offset + r * rowBytes, row0, 0, cols);
            format.dequantize(weights, offset + (r + 1) * rowBytes, row1, 0, cols);
            int t = first;
            for (; t + 4 <= count; t += 4) {
              dot2x4(row0, row1, xs[t], xs[t + 1], xs[t + 2], xs[t + 3], cols, outs, t, r);
            }
            remainingTokens(rows4, 2, xs, t, count, cols, outs, r);
          }
          if (r < to) {
            format.dequantize(weights, offset + r * rowBytes, row0, 0, cols);
            remainingTokens(rows4, 1, xs, first, count, cols, outs, r);
          }
        });
  }

  /** Tokens {@code [t, count)} times the first {@code n} decoded rows, one dot product each. */
  private static void remainingTokens(
      float[][] rows, int n, float[][] xs, int t, int count, int cols, float[][] outs, int r) {
    for (; t < count; t++) {
      for (int k = 0; k < n; k++) {
        outs[t][r + k] = FloatOps.dot(rows[k], 0, xs[t], 0, cols);
      }
    }
  }

  /**
   * Sixteen dot products, four weight rows × four tokens {@code xs[t .. t + 4)}: each step loads 8
   * vectors for 16 FMAs.
   */
  private static void dot4x4(
      float[] w0,
      float[] w1,
      float[] w2,
      float[] w3,
      float[][] xs,
      int t,
      int n,
      float[][] outs,
      int r) {
    float[] x0 = xs[t];
    float[] x1 = xs[t + 1];
    float[] x2 = xs[t + 2];
    float[] x3 = xs[t + 3];
    FloatVector a00 = FloatVector.zero(F);
    FloatVector a01 = FloatVector.zero(F);
    FloatVector a02 = FloatVector.zero(F);
    FloatVector a03 = FloatVector.zero(F);
    FloatVector a10 = FloatVector.zero(F);
    FloatVector a11 = FloatVector.zero(F);
    FloatVector a12 = FloatVector.zero(F);
    FloatVector a13 = FloatVector.zero(F);
    FloatVector a20 = FloatVector.zero(F);
    FloatVector a21 = FloatVector.zero(F);
    FloatVector a22 = FloatVector.zero(F);
    FloatVector a23 = FloatVector.zero(F);
    FloatVector a30 = FloatVector.zero(F);
    FloatVector a31 = FloatVector.zero(F);
    FloatVector a32 = FloatVector.zero(F);
    FloatVector a33 = FloatVector.zero(F);
    int lanes = F.length();
    int upper = F.loopBound(n);
    int i = 0;
    for (; i < upper; i += lanes) {
      FloatVector v0 = FloatVector.fromArray(F, w0, i);
      FloatVector v1 = FloatVector.fromArray(F, w1, i);
      FloatVector v2 = FloatVector.fromArray(F, w2, i);
      FloatVector v3 = FloatVector.fromArray(F, w3, i);
      FloatVector x = FloatVector.fromArray(F, x0, i);
      a00 = v0.fma(x, a00);
      a10 = v1.fma(x, a10);
      a20 = v2.fma(x, a20);
      a30 = v3.fma(x, a30);
      x = FloatVector.fromArray(F, x1, i);
      a01 = v0.fma(x, a01);
      a11 = v1.fma(x, a11);
      a21 = v2.fma(x, a21);
      a31 = v3.fma(x, a31);
      x = FloatVector.fromArray(F, x2, i);
      a02 = v0.fma(x, a02);
      a12 = v1.fma(x, a12);
      a22 = v2.fma(x, a22);
      a32 = v3.fma(x, a32);
      x = FloatVector.fromArray(F, x3, i);
      a03 = v0.fma(x, a03);
      a13 = v1.fma(x, a13);
      a23 = v2.fma(x, a23);
      a33 = v3.fma(x, a33);
    }
    store(outs, t, r, a00, a01, a02, a03);
    store(outs, t, r + 1, a10, a11, a12, a13);
    store(outs, t, r + 2, a20, a21, a22, a23);
    store(outs, t, r + 3, a30, a31, a32, a33);
    // Columns past the last whole vector (rare: model widths are multiples of 16).
    float[][] w = {w0, w1, w2, w3};
    for (; i < n; i++) {
      for (int k = 0; k < 4; k++) {
        for (int j = 0; j < 4; j++) {
          outs[t + j][r + k] += w[k][i] * xs[t + j][i];
        }
      }
    }
  }

  /** Row {@code r}'s sums for tokens {@code t .. t + 4}. */
  private static void store(
      float[][] outs,
      int t,
      int r,
      FloatVector s0,
      FloatVector s1,
      FloatVector s2,
      FloatVector s3) {
    outs[t][r] = s0.reduceLanes(VectorOperators.ADD);
    outs[t + 1][r] = s1.reduceLanes(VectorOperators.ADD);
    outs[t + 2][r] = s2.reduceLanes(VectorOperators.ADD);
    outs[t + 3][r] = s3.reduceLanes(VectorOperators.ADD);
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
    store(outs, t, r, a00, a01, a02, a03);
    store(outs, t, r + 1, a10, a11, a12, a13);
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
