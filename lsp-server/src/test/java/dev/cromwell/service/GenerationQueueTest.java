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

  @Test
  void removingWaitingJobsKeepsTheWakeAndTheCountsAndDroppedJobsLeaveTheMeanAlone()
      throws Exception {
    GenerationQueue queue = new GenerationQueue(4);
    for (int i = 0; i < 10; i++) {
      queue.admit(job());
      queue.take(0);
      queue.finished(8);
    }
    GenerationJob gone = job();
    GenerationJob kept = job();
    queue.admit(gone);
    queue.admit(kept);
    queue.wake(); // the scheduler's wake-up sits in the queue after the jobs
    assertEquals(2, queue.waiting());
    assertEquals(java.util.List.of(gone), queue.removeWaiting(j -> j == gone));
    assertEquals(1, queue.waiting(), "the wake-up was removed, or the job was not");
    assertEquals(2, queue.depth(), "a removed job holds its place until it is dropped");
    queue.dropped();
    assertEquals(1, queue.depth());
    // The wake-up is still there (a take returns null for it), then the kept job.
    assertEquals(kept, queue.poll());
    assertEquals(null, queue.poll());
    // The dropped job left the smoothed job time near 8 s (7.25 after ten; a dropped job counted
    // as a job of 0 s would pull it to 5.8): with one running and three waiting, a full queue
    // says one job's time.
    queue.admit(job());
    queue.admit(job());
    queue.admit(job());
    assertEquals(
        8, assertThrows(QueueFullException.class, () -> queue.admit(job())).retryAfterSeconds());
  }
}
