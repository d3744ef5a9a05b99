package dev.cromwell.service;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admission queue in front of the model: at most {@code capacity} jobs waiting or running, a
 * full queue refused at once (the HTTP front door answers 429 with Retry-After). A scheduler takes
 * jobs from it and reports each one finished; how it runs them (the {@link BatchingScheduler}
 * decodes several together) is invisible to the callers.
 */
public final class GenerationQueue {
  private final int capacity;
  private final BlockingQueue<GenerationJob> waiting = new LinkedBlockingQueue<>();
  private final AtomicInteger admitted = new AtomicInteger();
  private final AtomicLong rejected = new AtomicLong();
  // Mean seconds per finished job, smoothed; the Retry-After estimate.
  private volatile double meanJobSeconds = 1;

  public GenerationQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("the queue needs room for at least one request");
    }
    this.capacity = capacity;
  }

  /** Admits a job or refuses it when {@code capacity} jobs are already waiting or running. */
  public void admit(GenerationJob job) throws QueueFullException {
    while (true) {
      int now = admitted.get();
      if (now >= capacity) {
        rejected.incrementAndGet();
        throw new QueueFullException(capacity, retryAfterSeconds(now));
      }
      if (admitted.compareAndSet(now, now + 1)) {
        break;
      }
    }
    waiting.add(job);
  }

  /** The next job for a scheduler, waiting up to {@code millis}; null if none came. */
  public GenerationJob take(long millis) throws InterruptedException {
    return waiting.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** The next job if one is waiting now (a batching scheduler fills free slots with these). */
  public GenerationJob poll() {
    return waiting.poll();
  }

  /** A scheduler finished a job (done, failed or skipped) after {@code seconds}. */
  public void finished(double seconds) {
    admitted.decrementAndGet();
    meanJobSeconds = 0.8 * meanJobSeconds + 0.2 * Math.max(0.01, seconds);
  }

  private int retryAfterSeconds(int ahead) {
    return (int) Math.max(1, Math.ceil(ahead * meanJobSeconds));
  }

  /** Jobs waiting or running. */
  public int depth() {
    return admitted.get();
  }

  /** Jobs waiting to start. */
  public int waiting() {
    return waiting.size();
  }

  public int capacity() {
    return capacity;
  }

  public long rejected() {
    return rejected.get();
  }
}
