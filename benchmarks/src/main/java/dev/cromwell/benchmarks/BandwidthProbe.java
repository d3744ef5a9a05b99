package dev.cromwell.benchmarks;

import dev.cromwell.kernels.WorkerPool;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Read bandwidth as the engine sees it: vector loads streaming over 1 GiB of anonymous memory, and
 * over a memory-mapped file (how the engine reads weights by default), with 1..N threads. {@code
 * java ... BandwidthProbe [threads] [file]} — without a file, a 1 GiB temporary file.
 */
public final class BandwidthProbe {
  private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;

  public static void main(String[] args) throws IOException {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : WorkerPool.defaultThreads();
    long size = 1L << 30;
    try (Arena arena = Arena.ofShared()) {
      MemorySegment anonymous = arena.allocate(size, 4096);
      anonymous.fill((byte) 1);
      Path file =
          args.length > 1 ? Path.of(args[1]) : Files.createTempFile("cromwell-bandwidth", ".bin");
      try {
        if (args.length <= 1) {
          try (FileChannel ch =
              FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment.copy(
                anonymous, 0, ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena), 0, size);
          }
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
          MemorySegment mapped =
              ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, ch.size()), arena);
          for (int t = 1; t <= threads; t++) {
            try (WorkerPool pool = new WorkerPool(t)) {
              System.out.printf(
                  "%d thread(s): anonymous %.1f GB/s, mapped file %.1f GB/s%n",
                  t, best(anonymous, pool), best(mapped, pool));
            }
          }
        }
      } finally {
        if (args.length <= 1) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  private static double best(MemorySegment segment, WorkerPool pool) {
    long chunk = 1 << 20;
    int chunks = (int) (segment.byteSize() / chunk);
    long[] sums = new long[pool.threads() * 8];
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
      long t0 = System.nanoTime();
      pool.parallelFor(
          chunks,
          (from, to) -> {
            LongVector acc = LongVector.zero(L);
            for (long off = from * chunk; off < to * chunk; off += L.vectorByteSize()) {
              acc = acc.add(LongVector.fromMemorySegment(L, segment, off, ByteOrder.LITTLE_ENDIAN));
            }
            sums[(from * 8 / Math.max(1, chunks)) % sums.length] +=
                acc.reduceLanes(VectorOperators.ADD);
          });
      best = Math.max(best, (double) chunks * chunk / ((System.nanoTime() - t0) / 1e9) / 1e9);
    }
    if (sums[0] == 42) {
      System.out.print("");
    }
    return best;
  }
}
