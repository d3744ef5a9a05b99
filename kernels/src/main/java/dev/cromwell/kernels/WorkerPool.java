package dev.cromwell.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of platform threads that run one data-parallel operation at a time.
 *
 * <p>A decode step issues hundreds of small parallel operations, so handing out work must cost
 * microseconds: idle threads wait for the next operation by spinning briefly, then yielding, then
 * parking ({@link Waiting}).
 *
 * <p>Users' machines are never idle, so a thread of the pool may lose its core to another process
 * for a whole scheduler slice (milliseconds). With one fixed range per thread, the caller then
 * waited for that range, once per operation, and decode collapsed (17 → 2–5 tokens/s at 2 threads
 * beside one busy process). So an operation is cut into a few contiguous chunks per thread, which
 * threads claim from a shared counter: whoever is running takes the next chunk, and a descheduled
 * thread delays the operation by at most the chunk it holds, not by its whole share.
 */
public final class WorkerPool implements AutoCloseable {
  /** A unit of work over the index range {@code [from, to)}. */
  @FunctionalInterface
  public interface RangeTask {
    void run(int from, int to);
  }

  /**
   * Chunks per thread: enough that a stalled thread's chunk is a small part of the operation, few
   * enough that claiming (one atomic increment each) stays negligible next to the work.
   */
  static final int CHUNKS_PER_THREAD = 4;

  /**
   * One operation: its task and the counters through which threads claim and finish its chunks. A
   * fresh object per operation, so a thread that wakes late can only find it fully claimed.
   */
  private static final class Job {
    final RangeTask task;
    final int size;
    final int chunks;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    volatile Throwable failure;

    Job(RangeTask task, int size, int chunks) {
      this.task = task;
      this.size = size;
      this.chunks = chunks;
    }

    /** Runs chunks until none is left; returns whether this thread finished the last one. */
    boolean work() {
      boolean last = false;
      int chunk;
      while ((chunk = next.getAndIncrement()) < chunks) {
        try {
          long from = (long) size * chunk / chunks;
          long to = (long) size * (chunk + 1) / chunks;
          if (from < to) {
            task.run((int) from, (int) to);
          }
        } catch (Throwable t) {
          failure = t;
        } finally {
          last = done.incrementAndGet() == chunks;
        }
      }
      return last;
    }

    boolean finished() {
      return done.get() == chunks;
    }
  }

  private final int threads;
  private final Thread[] workers;
  private final AtomicInteger generation = new AtomicInteger();
  private volatile Job job;
  private volatile Thread caller;
  private volatile boolean closed;

  /** Creates a pool of {@code threads} threads in total, counting the caller's. */
  public WorkerPool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
    this.workers = new Thread[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      Thread t = new Thread(this::workLoop, "cromwell-worker-" + (i + 1));
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
    Job current = new Job(task, size, Math.min(size, threads * CHUNKS_PER_THREAD));
    caller = Thread.currentThread();
    job = current;
    generation.incrementAndGet();
    for (Thread w : workers) {
      LockSupport.unpark(w);
    }
    current.work();
    // Only chunks that a worker is running are left; wait for them without taking the core.
    Waiting waiting = new Waiting();
    while (!current.finished()) {
      waiting.pause(this);
    }
    Throwable t = current.failure;
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

  private void workLoop() {
    int seen = 0;
    while (true) {
      Waiting waiting = new Waiting();
      int current;
      while ((current = generation.get()) == seen) {
        if (closed) {
          return;
        }
        waiting.pause(this);
      }
      seen = current;
      if (closed) {
        return;
      }
      if (job.work()) {
        LockSupport.unpark(caller);
      }
    }
  }

  /**
   * How a thread waits for something another thread will do soon: spin first (the next operation of
   * a decode step usually comes within microseconds), then yield (which costs little on an idle
   * core but hands a busy one to whoever needs it, such as the caller this thread shares it with),
   * then park until woken.
   */
  static final class Waiting {
    static final int SPINS = 2_000;
    static final long YIELD_NANOS = 200_000;
    static final long PARK_NANOS = 50_000;

    private int spins;
    private long yieldingSince;

    void pause(Object blocker) {
      if (spins < SPINS) {
        spins++;
        Thread.onSpinWait();
        return;
      }
      long now = System.nanoTime();
      if (yieldingSince == 0) {
        yieldingSince = now;
      }
      if (now - yieldingSince < YIELD_NANOS) {
        Thread.yield();
      } else {
        LockSupport.parkNanos(blocker, PARK_NANOS);
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
