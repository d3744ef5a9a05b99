package dev.cromwell.benchmarks;

import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.GgmlType;
import dev.cromwell.kernels.formats.RearrangedFormat;
import dev.cromwell.kernels.formats.WeightFormat;
import dev.cromwell.kernels.ops.MatMul;
import dev.cromwell.kernels.ops.MatVec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

/**
 * One matrix of the 0.5B's shape (rows × cols) per type, in the layout a copied model uses: the
 * time of a product with {@code count} token rows ({@link MatMul#matmul}) against one matrix-vector
 * product ({@link MatVec#matvec}), medians and minimums of interleaved rounds. {@code java ...
 * MultiRowProbe [threads] [TYPE,TYPE...] [rows] [cols] [count] [rounds]}
 */
public final class MultiRowProbe {
  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    String[] types = args.length > 1 ? args[1].split(",") : new String[] {"Q5_0", "Q8_0"};
    int rows = args.length > 2 ? Integer.parseInt(args[2]) : 4864;
    int cols = args.length > 3 ? Integer.parseInt(args[3]) : 896;
    int count = args.length > 4 ? Integer.parseInt(args[4]) : 8;
    int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 200;
    Random rnd = new Random(1);
    try (WorkerPool pool = new WorkerPool(threads);
        Arena arena = Arena.ofShared()) {
      for (String name : types) {
        GgmlType type = GgmlType.valueOf(name);
        WeightFormat ggml = WeightFormat.of(type);
        WeightFormat format =
            RearrangedFormat.of(type, cols).map(f -> (WeightFormat) f).orElse(ggml);
        long rowBytes = format.rowBytes(cols);
        MemorySegment w = arena.allocate(rows * rowBytes, 64);
        float[] values = new float[cols];
        for (int r = 0; r < rows; r++) {
          for (int i = 0; i < cols; i++) {
            values[i] = (float) rnd.nextGaussian() * 0.1f;
          }
          MemorySegment.copy(
              MemorySegment.ofArray(format.quantize(values)), 0, w, r * rowBytes, rowBytes);
        }
        float[][] xs = new float[count][cols];
        for (float[] x : xs) {
          for (int i = 0; i < cols; i++) {
            x[i] = (float) rnd.nextGaussian();
          }
        }
        float[][] outs = new float[count][rows];
        long[] one = new long[rounds];
        long[] many = new long[rounds];
        for (int round = -rounds; round < rounds; round++) {
          long start = System.nanoTime();
          MatVec.matvec(format, w, 0, xs[0], outs[0], rows, cols, pool);
          long mid = System.nanoTime();
          MatMul.matmul(format, w, 0, xs, outs, count, rows, cols, pool);
          long end = System.nanoTime();
          if (round >= 0) {
            one[round] = mid - start;
            many[round] = end - mid;
          }
        }
        Arrays.sort(one);
        Arrays.sort(many);
        System.out.printf(
            "%s %s %dx%d: 1 row %.1f us, %d rows %.1f us (%.2fx); fastest %.1f and %.1f us (%.2fx)%n",
            type,
            format.getClass().getSimpleName(),
            rows,
            cols,
            one[rounds / 2] / 1e3,
            count,
            many[rounds / 2] / 1e3,
            (double) many[rounds / 2] / one[rounds / 2],
            one[0] / 1e3,
            many[0] / 1e3,
            (double) many[0] / one[0]);
      }
    }
  }
}
