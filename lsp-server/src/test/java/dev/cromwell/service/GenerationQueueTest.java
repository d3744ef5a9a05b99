package dev.cromwell.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GenerationQueueTest {
  private static GenerationJob job() {
    return new GenerationJob(null, null, () -> false, Long.MAX_VALUE, 0, new CompletableFuture<>());
  }

  @Test
  void retryAfterIsTheTimeUntilOneOfTheRunningJobsEnds() throws Exception {
    GenerationQueue queue = new GenerationQueue(6);
    // Jobs of 20 s measured: the smoothed job time approaches 20.
    for (int i = 0; i < 40; i++) {
      queue.admit(job());
      queue.take(0);
      queue.finished(20);
    }
    // Four running, two waiting: one of the four ends every ~5 s.
    for (int i = 0; i < 6; i++) {
      queue.admit(job());
    }
    for (int i = 0; i < 4; i++) {
      queue.take(0);
    }
    QueueFullException full = assertThrows(QueueFullException.class, () -> queue.admit(job()));
    assertEquals(5, full.retryAfterSeconds());
    // Nothing running yet (all six waiting): a whole job's time.
    GenerationQueue waitingOnly = new GenerationQueue(2);
    for (int i = 0; i < 20; i++) {
      waitingOnly.admit(job());
      waitingOnly.take(0);
      waitingOnly.finished(3);
    }
    waitingOnly.admit(job());
    waitingOnly.admit(job());
    assertEquals(
        3,
        assertThrows(QueueFullException.class, () -> waitingOnly.admit(job())).retryAfterSeconds());
  }
}
