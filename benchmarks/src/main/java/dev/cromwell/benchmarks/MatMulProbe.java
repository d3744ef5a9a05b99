package dev.cromwell.benchmarks;

import dev.cromwell.kernels.GgmlType;
import dev.cromwell.kernels.MatMul;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.WeightFormat;
import dev.cromwell.kernels.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Prompt-processing throughput of the batched matmul: GFLOP/s for a 4,864 × 1,024 matrix (about the
 * 0.5B model's FFN) times a 64-token chunk. {@code java ... MatMulProbe [threads] [TYPE,...]}
 */
public final class MatMulProbe {
  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    String[] types = args.length > 1 ? args[1].split(",") : new String[] {"Q8_0", "Q4_0", "F16"};
    int rows = 4864;
    int cols = 1024; // a multiple of 256, so K-quant rows fill their blocks
    int count = 64;
    Random rnd = new Random(1);
    float[][] xs = new float[count][cols];
    float[][] outs = new float[count][rows];
    for (float[] x : xs) {
      for (int i = 0; i < cols; i++) {
        x[i] = (float) rnd.nextGaussian();
      }
    }
    try (WorkerPool pool = new WorkerPool(threads)) {
      for (String name : types) {
        WeightFormat f = WeightFormat.of(GgmlType.valueOf(name));
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        MemorySegment w = MemorySegment.ofArray(f.quantize(values));
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 40; rep++) {
          long t0 = System.nanoTime();
          MatMul.matmul(f, w, 0, xs, outs, count, rows, cols, pool);
          best = Math.min(best, System.nanoTime() - t0);
        }
        double flops = 2.0 * rows * cols * count;
        System.out.printf(
            "%-5s %d threads %d-bit: %.1f GFLOP/s (%.2f ms per 64-token chunk)%n",
            name, threads, VectorWidth.bits(), flops / best, best / 1e6);
      }
    }
  }
}
