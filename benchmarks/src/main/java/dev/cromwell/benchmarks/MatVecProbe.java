package dev.cromwell.benchmarks;

import dev.cromwell.engine.gguf.AnonymousMemory;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.GgmlType;
import dev.cromwell.kernels.formats.RearrangedFormat;
import dev.cromwell.kernels.formats.WeightFormat;
import dev.cromwell.kernels.ops.MatVec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Optional;
import java.util.Random;

/**
 * Quick matvec throughput probe: GB/s of weights streamed per format and thread count, on a matrix
 * larger than the caches. {@code java ... MatVecProbe [threads] [TYPE,TYPE...] [cols] [reps]
 * [weights]} (cols 896 is the 0.5B model's hidden size: short rows, where per-row costs show). At 1
 * thread it also prints the rate over the thread's CPU time, which a loaded machine disturbs far
 * less than the wall-clock rate (docs/PERFORMANCE.md, "Q4_K/Q6_K decode at the 1.5B's shapes").
 */
public final class MatVecProbe {
  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    java.util.Set<String> only =
        args.length > 1 ? java.util.Set.of(args[1].split(",")) : java.util.Set.of();
    // 2048 by default: a multiple of 256, so K-quant rows fill their blocks
    int cols = args.length > 2 ? Integer.parseInt(args[2]) : 2048;
    int reps = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    long weights = args.length > 4 ? Long.parseLong(args[4]) : 151936L * 2048;
    int rows = (int) Math.max(64, weights / cols);
    Random rnd = new Random(1);
    float[] x = new float[cols];
    for (int i = 0; i < cols; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    float[] out = new float[rows];
    try (WorkerPool pool = new WorkerPool(threads);
        Arena arena = Arena.ofShared()) {
      warmUpEveryFormat(pool, arena);
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
        if (!only.isEmpty() && !only.contains(type.name()) || cols % type.blockSize() != 0) {
          continue;
        }
        WeightFormat f = WeightFormat.of(type);
        long rowBytes = f.rowBytes(cols);
        // Huge-page memory, as the engine holds a model it copies (--load copy).
        AnonymousMemory memory = AnonymousMemory.allocate(rowBytes * rows);
        MemorySegment w = memory.segment();
        // 64 distinct random rows, repeated: the matrix only has to be larger than the caches.
        float[] row = new float[cols];
        for (int r = 0; r < 64; r++) {
          for (int c = 0; c < cols; c++) {
            row[c] = (float) (rnd.nextGaussian() * 0.02);
          }
          MemorySegment.copy(MemorySegment.ofArray(f.quantize(row)), 0, w, r * rowBytes, rowBytes);
        }
        for (int r = 64; r < rows; r++) {
          MemorySegment.copy(w, (r % 64) * rowBytes, w, r * rowBytes, rowBytes);
        }
        probe(type.name(), f, w, x, out, rows, cols, reps, threads, pool);
        Optional<RearrangedFormat> rearranged = RearrangedFormat.of(type, cols);
        if (rearranged.isPresent()) {
          // The layout --load copy gives these matrices (GB/s of its own, slightly larger, bytes).
          RearrangedFormat g = rearranged.get();
          try (AnonymousMemory moved = AnonymousMemory.allocate(rows * g.rowBytes(cols))) {
            g.rearrange(w, moved.segment(), rows, cols);
            probe(type + " grouped", g, moved.segment(), x, out, rows, cols, reps, threads, pool);
          }
        }
        memory.close();
      }
    }
  }

  private static void probe(
      String name,
      WeightFormat f,
      MemorySegment w,
      float[] x,
      float[] out,
      int rows,
      int cols,
      int reps,
      int threads,
      WorkerPool pool) {
    double best = 0;
    double bestOnCpu = 0;
    // At 1 thread the pool runs on this thread, so its CPU time is the kernel's: a rate that other
    // processes taking the core (a loaded machine) do not lower, as they lower the wall-clock one.
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (int rep = 0; rep < reps; rep++) {
      long c0 = cpu.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      MatVec.matvec(f, w, 0, x, out, rows, cols, pool);
      long t1 = System.nanoTime();
      long c1 = cpu.getCurrentThreadCpuTime();
      best = Math.max(best, w.byteSize() / ((t1 - t0) / 1e9) / 1e9);
      bestOnCpu = Math.max(bestOnCpu, w.byteSize() / ((c1 - c0) / 1e9) / 1e9);
    }
    System.out.printf(
        "%-5s %d threads %d-bit: %.1f GB/s (%.0f MB matrix)%s%n",
        name,
        threads,
        VectorWidth.bits(),
        best,
        w.byteSize() / 1e6,
        threads == 1 ? String.format(", %.1f GB/s of CPU time", bestOnCpu) : "");
  }

  /**
   * In the engine one matvec call site sees every format of a model, so C2 compiles each format's
   * dot on its own instead of inlining it into the row loop; run them all once so that the probe
   * measures the code the engine runs.
   */
  private static void warmUpEveryFormat(WorkerPool pool, Arena arena) {
    int cols = 256;
    float[] x = new float[cols];
    float[] out = new float[64];
    GgmlType[] types = {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q6_K, GgmlType.F32};
    MemorySegment w = arena.allocate(WeightFormat.of(GgmlType.F32).rowBytes(cols) * out.length, 64);
    for (int rep = 0; rep < 2000; rep++) {
      for (GgmlType type : types) {
        MatVec.matvec(WeightFormat.of(type), w, 0, x, out, out.length, cols, pool);
      }
    }
  }
}
