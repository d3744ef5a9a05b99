package dev.cromwell.kernels.ops;

import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.WeightFormat;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Prefill's matmul as a sum of outer products: 12 decoded weight rows (6 below 512 bits) times 32
 * tokens (16), one column at a time — each of the column's weights broadcast, its token values
 * loaded as two vectors from the tokens transposed, 24 (12) FMAs into as many accumulators, which
 * are the outputs themselves, so nothing is reduced at the end.
 *
 * <p>It replaced {@link MatMul}'s register-blocked dot products for whole groups of tokens: those
 * load four token vectors and four weight vectors (AVX2: two) per 16 (8) FMAs from float arrays
 * that are rarely aligned to the vector size, so most loads span two cache lines. This kernel loads
 * two vectors and one scalar per row (a broadcast never spans lines). One layer of the 0.5B Q4_0
 * model times 64 tokens on 2 threads ({@code MatMulProbe 2 Q4_0}), GFLOP/s:
 *
 * <table>
 *   <caption>kernel variants</caption>
 *   <tr><th>kernel</th><th>512-bit</th><th>256-bit</th></tr>
 *   <tr><td>dot products (4×4; 2×4 at 256 bits)</td><td>144–154</td><td>116–118</td></tr>
 *   <tr><td>12 rows</td><td>205–208</td><td></td></tr>
 *   <tr><td>6 rows</td><td>188–192</td><td>145–162</td></tr>
 * </table>
 *
 * <p>At 512 bits 10 and 14 rows measured as 12 (201–209), 8 rows 195; two columns a step (167) and
 * the tokens transposed whole instead of in groups (8 rows: 176, a stride C2 does not take the
 * range checks out for) were slower. 12 rows need 27 vector registers (AVX-512 has 32), 6 rows 15
 * (AVX2 has 16).
 */
final class OuterProductMatMul {
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final int LANES = F.length();

  /** Tokens per kernel call: two vectors. */
  static final int TOKENS = 2 * LANES;

  /**
   * Weight rows per kernel call: {@link #kernel12} with 512-bit vectors, {@link #kernel6} below.
   */
  static final int ROWS = VectorWidth.bits() >= 512 ? 12 : 6;

  /**
   * The calling thread's tokens, transposed in groups of {@link #TOKENS}: column i of token {@code
   * TOKENS·g + j} at {@code (g·cols + i)·TOKENS + j}, so a kernel call reads one contiguous block.
   */
  private static final ThreadLocal<float[]> TRANSPOSED =
      ThreadLocal.withInitial(() -> new float[0]);

  /** Each worker's decoded rows, row k at {@code k * cols}. */
  private static final ThreadLocal<float[]> TILES = ThreadLocal.withInitial(() -> new float[0]);

  /** Each worker's sums of one kernel call, row k's at {@code k * TOKENS}. */
  private static final ThreadLocal<float[]> SUMS =
      ThreadLocal.withInitial(() -> new float[ROWS * TOKENS]);

  private OuterProductMatMul() {}

  /**
   * {@code outs[t][r] = dot(row r, xs[t])} for tokens {@code [0, count)}, {@code count} a multiple
   * of {@link #TOKENS}.
   */
  static void matmul(
      WeightFormat format,
      MemorySegment weights,
      long offset,
      float[][] xs,
      float[][] outs,
      int count,
      int rows,
      int cols,
      WorkerPool pool) {
    float[] transposed = TRANSPOSED.get();
    if (transposed.length < count * cols) {
      transposed = new float[count * cols];
      TRANSPOSED.set(transposed);
    }
    float[] xt = transposed;
    pool.parallelFor(cols, (from, to) -> transpose(xs, count, cols, from, to, xt));
    long rowBytes = format.rowBytes(cols);
    int groups = (rows + ROWS - 1) / ROWS;
    pool.parallelFor(
        groups,
        (firstGroup, endGroup) -> {
          float[] tile = TILES.get();
          if (tile.length < ROWS * cols) {
            tile = new float[ROWS * cols];
            TILES.set(tile);
          }
          float[] sums = SUMS.get();
          for (int g = firstGroup; g < endGroup; g++) {
            int r = g * ROWS;
            int n = Math.min(ROWS, rows - r);
            for (int k = 0; k < n; k++) {
              format.dequantize(weights, offset + (r + k) * rowBytes, tile, k * cols, cols);
            }
            // The matrix's last group may hold fewer rows: the rest of the tile multiplies as 0.
            Arrays.fill(tile, n * cols, ROWS * cols, 0f);
            for (int t = 0; t < count; t += TOKENS) {
              if (ROWS == 12) {
                kernel12(tile, xt, t * cols, cols, sums);
              } else {
                kernel6(tile, xt, t * cols, cols, sums);
              }
              for (int k = 0; k < n; k++) {
                for (int j = 0; j < TOKENS; j++) {
                  outs[t + j][r + k] = sums[k * TOKENS + j];
                }
              }
            }
          }
        });
  }

  /** Columns {@code [from, to)} of the first {@code count} tokens into {@code xt}. */
  private static void transpose(float[][] xs, int count, int cols, int from, int to, float[] xt) {
    for (int t = 0; t < count; t++) {
      float[] x = xs[t];
      int group = (t / TOKENS) * TOKENS * cols + t % TOKENS;
      for (int i = from; i < to; i++) {
        xt[group + i * TOKENS] = x[i];
      }
    }
  }

  /**
   * {@code sums[k * TOKENS + j] = Σ_i tile[k·cols + i]·xt[at + i·TOKENS + j]}: 12 rows times the
   * group of transposed tokens at {@code at}, one column a step.
   */
  private static void kernel12(float[] tile, float[] xt, int at, int cols, float[] sums) {
    FloatVector s0a = FloatVector.zero(F);
    FloatVector s0b = FloatVector.zero(F);
    FloatVector s1a = FloatVector.zero(F);
    FloatVector s1b = FloatVector.zero(F);
    FloatVector s2a = FloatVector.zero(F);
    FloatVector s2b = FloatVector.zero(F);
    FloatVector s3a = FloatVector.zero(F);
    FloatVector s3b = FloatVector.zero(F);
    FloatVector s4a = FloatVector.zero(F);
    FloatVector s4b = FloatVector.zero(F);
    FloatVector s5a = FloatVector.zero(F);
    FloatVector s5b = FloatVector.zero(F);
    FloatVector s6a = FloatVector.zero(F);
    FloatVector s6b = FloatVector.zero(F);
    FloatVector s7a = FloatVector.zero(F);
    FloatVector s7b = FloatVector.zero(F);
    FloatVector s8a = FloatVector.zero(F);
    FloatVector s8b = FloatVector.zero(F);
    FloatVector s9a = FloatVector.zero(F);
    FloatVector s9b = FloatVector.zero(F);
    FloatVector s10a = FloatVector.zero(F);
    FloatVector s10b = FloatVector.zero(F);
    FloatVector s11a = FloatVector.zero(F);
    FloatVector s11b = FloatVector.zero(F);
    FloatVector x0;
    FloatVector x1;
    FloatVector w;
    for (int i = 0; i < cols; i++) {
      x0 = FloatVector.fromArray(F, xt, at + i * TOKENS);
      x1 = FloatVector.fromArray(F, xt, at + i * TOKENS + LANES);
      w = FloatVector.broadcast(F, tile[i]);
      s0a = w.fma(x0, s0a);
      s0b = w.fma(x1, s0b);
      w = FloatVector.broadcast(F, tile[cols + i]);
      s1a = w.fma(x0, s1a);
      s1b = w.fma(x1, s1b);
      w = FloatVector.broadcast(F, tile[2 * cols + i]);
      s2a = w.fma(x0, s2a);
      s2b = w.fma(x1, s2b);
      w = FloatVector.broadcast(F, tile[3 * cols + i]);
      s3a = w.fma(x0, s3a);
      s3b = w.fma(x1, s3b);
      w = FloatVector.broadcast(F, tile[4 * cols + i]);
      s4a = w.fma(x0, s4a);
      s4b = w.fma(x1, s4b);
      w = FloatVector.broadcast(F, tile[5 * cols + i]);
      s5a = w.fma(x0, s5a);
      s5b = w.fma(x1, s5b);
      w = FloatVector.broadcast(F, tile[6 * cols + i]);
      s6a = w.fma(x0, s6a);
      s6b = w.fma(x1, s6b);
      w = FloatVector.broadcast(F, tile[7 * cols + i]);
      s7a = w.fma(x0, s7a);
      s7b = w.fma(x1, s7b);
      w = FloatVector.broadcast(F, tile[8 * cols + i]);
      s8a = w.fma(x0, s8a);
      s8b = w.fma(x1, s8b);
      w = FloatVector.broadcast(F, tile[9 * cols + i]);
      s9a = w.fma(x0, s9a);
      s9b = w.fma(x1, s9b);
      w = FloatVector.broadcast(F, tile[10 * cols + i]);
      s10a = w.fma(x0, s10a);
      s10b = w.fma(x1, s10b);
      w = FloatVector.broadcast(F, tile[11 * cols + i]);
      s11a = w.fma(x0, s11a);
      s11b = w.fma(x1, s11b);
    }
    s0a.intoArray(sums, 0 * TOKENS);
    s0b.intoArray(sums, 0 * TOKENS + LANES);
    s1a.intoArray(sums, 1 * TOKENS);
    s1b.intoArray(sums, 1 * TOKENS + LANES);
    s2a.intoArray(sums, 2 * TOKENS);
    s2b.intoArray(sums, 2 * TOKENS + LANES);
    s3a.intoArray(sums, 3 * TOKENS);
    s3b.intoArray(sums, 3 * TOKENS + LANES);
    s4a.intoArray(sums, 4 * TOKENS);
    s4b.intoArray(sums, 4 * TOKENS + LANES);
    s5a.intoArray(sums, 5 * TOKENS);
    s5b.intoArray(sums, 5 * TOKENS + LANES);
    s6a.intoArray(sums, 6 * TOKENS);
    s6b.intoArray(sums, 6 * TOKENS + LANES);
    s7a.intoArray(sums, 7 * TOKENS);
    s7b.intoArray(sums, 7 * TOKENS + LANES);
    s8a.intoArray(sums, 8 * TOKENS);
    s8b.intoArray(sums, 8 * TOKENS + LANES);
    s9a.intoArray(sums, 9 * TOKENS);
    s9b.intoArray(sums, 9 * TOKENS + LANES);
    s10a.intoArray(sums, 10 * TOKENS);
    s10b.intoArray(sums, 10 * TOKENS + LANES);
    s11a.intoArray(sums, 11 * TOKENS);
    s11b.intoArray(sums, 11 * TOKENS + LANES);
  }

  /** {@link #kernel12} for 6 rows: 12 accumulators, for AVX2's 16 registers. */
  private static void kernel6(float[] tile, float[] xt, int at, int cols, float[] sums) {
    FloatVector s0a = FloatVector.zero(F);
    FloatVector s0b = FloatVector.zero(F);
    FloatVector s1a = FloatVector.zero(F);
    FloatVector s1b = FloatVector.zero(F);
    FloatVector s2a = FloatVector.zero(F);
    FloatVector s2b = FloatVector.zero(F);
    FloatVector s3a = FloatVector.zero(F);
    FloatVector s3b = FloatVector.zero(F);
    FloatVector s4a = FloatVector.zero(F);
    FloatVector s4b = FloatVector.zero(F);
    FloatVector s5a = FloatVector.zero(F);
    FloatVector s5b = FloatVector.zero(F);
    FloatVector x0;
    FloatVector x1;
    FloatVector w;
    for (int i = 0; i < cols; i++) {
      x0 = FloatVector.fromArray(F, xt, at + i * TOKENS);
      x1 = FloatVector.fromArray(F, xt, at + i * TOKENS + LANES);
      w = FloatVector.broadcast(F, tile[i]);
      s0a = w.fma(x0, s0a);
      s0b = w.fma(x1, s0b);
      w = FloatVector.broadcast(F, tile[cols + i]);
      s1a = w.fma(x0, s1a);
      s1b = w.fma(x1, s1b);
      w = FloatVector.broadcast(F, tile[2 * cols + i]);
      s2a = w.fma(x0, s2a);
      s2b = w.fma(x1, s2b);
      w = FloatVector.broadcast(F, tile[3 * cols + i]);
      s3a = w.fma(x0, s3a);
      s3b = w.fma(x1, s3b);
      w = FloatVector.broadcast(F, tile[4 * cols + i]);
      s4a = w.fma(x0, s4a);
      s4b = w.fma(x1, s4b);
      w = FloatVector.broadcast(F, tile[5 * cols + i]);
      s5a = w.fma(x0, s5a);
      s5b = w.fma(x1, s5b);
    }
    s0a.intoArray(sums, 0 * TOKENS);
    s0b.intoArray(sums, 0 * TOKENS + LANES);
    s1a.intoArray(sums, 1 * TOKENS);
    s1b.intoArray(sums, 1 * TOKENS + LANES);
    s2a.intoArray(sums, 2 * TOKENS);
    s2b.intoArray(sums, 2 * TOKENS + LANES);
    s3a.intoArray(sums, 3 * TOKENS);
    s3b.intoArray(sums, 3 * TOKENS + LANES);
    s4a.intoArray(sums, 4 * TOKENS);
    s4b.intoArray(sums, 4 * TOKENS + LANES);
    s5a.intoArray(sums, 5 * TOKENS);
    s5b.intoArray(sums, 5 * TOKENS + LANES);
  }
}
