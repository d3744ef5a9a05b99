package dev.cromwell.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admission queue in front of the model: at most {@code capacity} jobs waiting or running, a
 * full queue refused at once (the HTTP front door answers 429 with Retry-After). A scheduler takes
 * jobs from it and reports each one finished; how it runs them (the {@link BatchingScheduler}
 * decodes several together) is invisible to the callers.
 */
public final class GenerationQueue {
  // Put in the queue to wake a scheduler waiting for work that is not a job (a task to run).
  private static final GenerationJob WAKE = new GenerationJob(null, null, null, 0, 0, null);
  private final AtomicBoolean woken = new AtomicBoolean();
  private boolean closed;
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
    takePlace();
    synchronized (this) {
      if (closed) {
        admitted.decrementAndGet();
        throw new RejectedExecutionException("the model was unloaded");
      }
      waiting.add(job);
    }
  }

  /**
   * Takes a place for work on the model that is not a job (an edit's answer decoded as the
   * scheduler's parted work), or refuses it as {@link #admit} would; {@link #finished} gives the
   * place back.
   */
  public void reserve() throws QueueFullException {
    takePlace();
    synchronized (this) {
      if (closed) {
        admitted.decrementAndGet();
        throw new RejectedExecutionException("the model was unloaded");
      }
    }
  }

  private void takePlace() throws QueueFullException {
    while (true) {
      int now = admitted.get();
      if (now >= capacity) {
        rejected.incrementAndGet();
        throw new QueueFullException(capacity, retryAfterSeconds(now));
      }
      if (admitted.compareAndSet(now, now + 1)) {
        return;
      }
    }
  }

  /** The next job for a scheduler, waiting up to {@code millis}; null if none came (or woken). */
  public GenerationJob take(long millis) throws InterruptedException {
    GenerationJob job = waiting.poll(millis, TimeUnit.MILLISECONDS);
    if (job == WAKE) {
      woken.set(false);
      return null;
    }
    return job;
  }

  /** The next job if one is waiting now (a batching scheduler fills free slots with these). */
  public GenerationJob poll() {
    GenerationJob job = waiting.poll();
    if (job == WAKE) {
      woken.set(false);
      return waiting.poll();
    }
    return job;
  }

  /**
   * Takes out the waiting jobs that {@code gone} picks (a scheduler ends those whose caller gave up
   * or whose timeout passed while they waited, without waiting for a free slot) and returns them;
   * each still holds its place until the scheduler reports it {@link #dropped}. {@code gone} must
   * not throw. Only the scheduler's thread may call this, as it alone takes jobs ({@link #take},
   * {@link #poll}, {@link #close}): the queue tests {@code gone} outside its lock, so a job taken
   * meanwhile by another reader could be both returned here and started.
   */
  public List<GenerationJob> removeWaiting(java.util.function.Predicate<GenerationJob> gone) {
    List<GenerationJob> removed = new ArrayList<>();
    waiting.removeIf(
        job -> {
          if (job != WAKE && gone.test(job)) {
            removed.add(job);
            return true;
          }
          return false;
        });
    return removed;
  }

  /** Ends a scheduler's {@link #take} wait early: it has other work. */
  public void wake() {
    if (woken.compareAndSet(false, true)) {
      waiting.add(WAKE);
    }
  }

  /**
   * Refuses further jobs ({@link #admit} then throws {@link RejectedExecutionException}) and
   * returns those still waiting, for the scheduler to cancel.
   */
  public synchronized List<GenerationJob> close() {
    closed = true;
    List<GenerationJob> left = new ArrayList<>();
    for (GenerationJob job = poll(); job != null; job = poll()) {
      left.add(job);
    }
    return left;
  }

  /**
   * A scheduler ended a job that never started (cancelled, timed out waiting, or the model was
   * unloaded): its place is free, and no job time counts towards the Retry-After estimate.
   */
  public void dropped() {
    admitted.decrementAndGet();
  }

  /** A scheduler finished a job (done, failed or skipped) after {@code seconds}. */
  public void finished(double seconds) {
    admitted.decrementAndGet();
    meanJobSeconds = 0.8 * meanJobSeconds + 0.2 * Math.max(0.01, seconds);
  }

  /**
   * Seconds until a place is likely to free up, with {@code admitted} jobs waiting or running: a
   * full queue admits again as soon as any job ends, and the jobs running end one every measured
   * job time over their number (a batch of 8 running 64-token jobs at 0.12 s a step: one every ~1
   * s). The estimate once multiplied the job time by every job admitted, as if they ran one at a
   * time: 16 × 7.7 s for that batch.
   */
  private int retryAfterSeconds(int admitted) {
    int running = Math.max(1, admitted - waiting());
    return (int) Math.max(1, Math.ceil(meanJobSeconds / running));
  }

  /** Jobs waiting or running. */
  public int depth() {
    return admitted.get();
  }

  /** Jobs waiting to start. */
  public int waiting() {
    return Math.max(0, waiting.size() - (woken.get() ? 1 : 0));
  }

  public int capacity() {
    return capacity;
  }

  public long rejected() {
    return rejected.get();
  }
}
