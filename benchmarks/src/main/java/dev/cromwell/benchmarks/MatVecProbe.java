package dev.cromwell.benchmarks;

import dev.cromwell.kernels.GgmlType;
import dev.cromwell.kernels.MatVec;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.WeightFormat;
import dev.cromwell.kernels.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Quick matvec throughput probe: GB/s of weights streamed per format and thread count, on a matrix
 * larger than the caches. {@code java ... MatVecProbe [threads] [TYPE,TYPE...]}
 */
public final class MatVecProbe {
  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    java.util.Set<String> only =
        args.length > 1 ? java.util.Set.of(args[1].split(",")) : java.util.Set.of();
    int rows = 151936 / 4;
    int cols = 2048; // a multiple of 256, so K-quant rows fill their blocks
    Random rnd = new Random(1);
    float[] x = new float[cols];
    for (int i = 0; i < cols; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    float[] out = new float[rows];
    try (WorkerPool pool = new WorkerPool(threads);
        Arena arena = Arena.ofShared()) {
      for (GgmlType type :
          new GgmlType[] {
            GgmlType.Q8_0,
            GgmlType.Q4_0,
            GgmlType.Q4_K,
            GgmlType.Q6_K,
            GgmlType.Q5_0,
            GgmlType.Q4_1,
            GgmlType.Q5_1,
            GgmlType.Q5_K,
            GgmlType.F16,
            GgmlType.BF16,
            GgmlType.F32
          }) {
        if (!only.isEmpty() && !only.contains(type.name())) {
          continue;
        }
        WeightFormat f = WeightFormat.of(type);
        long rowBytes = f.rowBytes(cols);
        MemorySegment w = arena.allocate(rowBytes * rows, 64);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            row[c] = (float) (rnd.nextGaussian() * 0.02);
          }
          MemorySegment.copy(MemorySegment.ofArray(f.quantize(row)), 0, w, r * rowBytes, rowBytes);
        }
        double best = 0;
        for (int rep = 0; rep < 30; rep++) {
          long t0 = System.nanoTime();
          MatVec.matvec(f, w, 0, x, out, rows, cols, pool);
          long t1 = System.nanoTime();
          best = Math.max(best, w.byteSize() / ((t1 - t0) / 1e9) / 1e9);
        }
        System.out.printf(
            "%-5s %d threads %d-bit: %.1f GB/s (%.0f MB matrix)%n",
            type, threads, VectorWidth.bits(), best, w.byteSize() / 1e6);
      }
    }
  }
}
