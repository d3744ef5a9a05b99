package dev.cromwell.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of platform threads that run one data-parallel operation at a time.
 *
 * <p>A decode step issues hundreds of small parallel operations, so handing out work must cost
 * microseconds: workers spin briefly on a generation counter before parking, and the caller runs
 * the first chunk itself. Work is split into contiguous ranges, one per thread.
 */
public final class WorkerPool implements AutoCloseable {
  /** A unit of work over the index range {@code [from, to)}. */
  @FunctionalInterface
  public interface RangeTask {
    void run(int from, int to);
  }

  private static final int SPINS_BEFORE_PARK = 20_000;

  private final int threads;
  private final Thread[] workers;
  private final AtomicInteger generation = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private volatile RangeTask task;
  private volatile int taskSize;
  private volatile boolean closed;
  private volatile Throwable failure;
  private final Thread[] parkedWaiter = new Thread[1];

  /** Creates a pool of {@code threads} threads in total, counting the caller's. */
  public WorkerPool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
    this.workers = new Thread[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      int index = i + 1;
      Thread t = new Thread(() -> workLoop(index), "cromwell-worker-" + index);
      t.setDaemon(true);
      workers[i] = t;
      t.start();
    }
  }

  /** The default thread count: one per available processor. */
  public static int defaultThreads() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /** Number of threads, counting the caller's. */
  public int threads() {
    return threads;
  }

  /**
   * Runs {@code task} over {@code [0, size)} split into contiguous ranges and returns when all are
   * done. Not reentrant: one operation at a time, from one caller thread.
   */
  public void parallelFor(int size, RangeTask task) {
    if (closed) {
      throw new IllegalStateException("worker pool is closed");
    }
    if (threads == 1 || size < 2) {
      task.run(0, size);
      return;
    }
    this.task = task;
    this.taskSize = size;
    this.failure = null;
    pending.set(workers.length);
    parkedWaiter[0] = Thread.currentThread();
    generation.incrementAndGet();
    for (Thread w : workers) {
      LockSupport.unpark(w);
    }
    runChunk(0, task, size);
    int spins = 0;
    while (pending.get() != 0) {
      if (++spins < SPINS_BEFORE_PARK) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(this, 50_000);
      }
    }
    this.task = null;
    Throwable t = failure;
    if (t != null) {
      if (t instanceof RuntimeException re) {
        throw re;
      }
      if (t instanceof Error e) {
        throw e;
      }
      throw new IllegalStateException(t);
    }
  }

  private void runChunk(int index, RangeTask task, int size) {
    long from = (long) size * index / threads;
    long to = (long) size * (index + 1) / threads;
    if (from < to) {
      task.run((int) from, (int) to);
    }
  }

  private void workLoop(int index) {
    int seen = 0;
    while (true) {
      int spins = 0;
      int current;
      while ((current = generation.get()) == seen) {
        if (closed) {
          return;
        }
        if (++spins < SPINS_BEFORE_PARK) {
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
      }
      seen = current;
      if (closed) {
        return;
      }
      try {
        runChunk(index, task, taskSize);
      } catch (Throwable t) {
        failure = t;
      } finally {
        if (pending.decrementAndGet() == 0) {
          LockSupport.unpark(parkedWaiter[0]);
        }
      }
    }
  }

  /**
   * Stops the workers and waits for them to end, so that memory they read may be freed after this
   * returns. Call it only when no {@link #parallelFor} is running.
   */
  @Override
  public void close() {
    closed = true;
    for (Thread w : workers) {
      LockSupport.unpark(w);
    }
    boolean interrupted = false;
    for (Thread w : workers) {
      while (w.isAlive() && w != Thread.currentThread()) {
        try {
          w.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
