package dev.cromwell.benchmarks;

import dev.cromwell.kernels.WorkerPool;
import java.util.Arrays;

/** Cost of one empty parallel operation on the worker pool: p50 and p99 over many calls. */
public final class PoolProbe {
  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : WorkerPool.defaultThreads();
    int calls = 200_000;
    long[] nanos = new long[calls];
    int[] sink = new int[threads * 16];
    try (WorkerPool pool = new WorkerPool(threads)) {
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < calls; i++) {
          long t0 = System.nanoTime();
          pool.parallelFor(threads, (from, to) -> sink[from * 16]++);
          nanos[i] = System.nanoTime() - t0;
        }
      }
    }
    Arrays.sort(nanos);
    System.out.printf(
        "empty parallel op, %d threads: p50 %.2f µs, p90 %.2f µs, p99 %.2f µs%n",
        threads,
        nanos[calls / 2] / 1e3,
        nanos[calls * 9 / 10] / 1e3,
        nanos[calls * 99 / 100] / 1e3);
  }
}
