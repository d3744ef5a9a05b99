package dev.cromwell.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
  @Test
  void everyIndexIsVisitedExactlyOnceAcrossManyOperations() {
    try (WorkerPool pool = new WorkerPool(4)) {
      for (int size : new int[] {0, 1, 2, 3, 5, 100, 1001}) {
        for (int round = 0; round < 200; round++) {
          AtomicIntegerArray visits = new AtomicIntegerArray(size);
          pool.parallelFor(
              size,
              (from, to) -> {
                for (int i = from; i < to; i++) {
                  visits.incrementAndGet(i);
                }
              });
          for (int i = 0; i < size; i++) {
            assertEquals(1, visits.get(i), "size " + size + " index " + i);
          }
        }
      }
    }
  }

  @Test
  void aFailureInAWorkerReachesTheCaller() {
    try (WorkerPool pool = new WorkerPool(2)) {
      assertThrows(
          IllegalStateException.class,
          () ->
              pool.parallelFor(
                  10,
                  (from, to) -> {
                    if (from > 0) {
                      throw new IllegalStateException("boom");
                    }
                  }));
      // The pool still works afterwards.
      int[] sum = new int[1];
      pool.parallelFor(1, (from, to) -> sum[0] += to - from);
      assertEquals(1, sum[0]);
    }
  }

  @Test
  void aStalledThreadHoldsUpOnlyTheChunkItIsRunning() {
    // A thread that loses its core (here: sleeps) must not keep its whole share of the range: the
    // others take the chunks it has not claimed. With one fixed half per thread, the caller would
    // have run exactly half.
    try (WorkerPool pool = new WorkerPool(2)) {
      int size = 800;
      Thread caller = Thread.currentThread();
      AtomicIntegerArray visits = new AtomicIntegerArray(size);
      int[] byCaller = new int[1];
      pool.parallelFor(
          size,
          (from, to) -> {
            if (Thread.currentThread() == caller) {
              byCaller[0] += to - from;
            } else {
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            for (int i = from; i < to; i++) {
              visits.incrementAndGet(i);
            }
          });
      for (int i = 0; i < size; i++) {
        assertEquals(1, visits.get(i), "index " + i);
      }
      int chunk = size / (2 * WorkerPool.CHUNKS_PER_THREAD);
      assertTrue(
          byCaller[0] >= size - chunk,
          "the caller ran " + byCaller[0] + " of " + size + " while the worker was stalled");
    }
  }
}
