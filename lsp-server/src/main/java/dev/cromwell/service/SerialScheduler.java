package dev.cromwell.service;

import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.StopReason;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Runs the queue's jobs one at a time on one platform thread (the engine's worker pool parallelizes
 * inside each token). This is the seam batched decoding replaces: a batching scheduler takes jobs
 * from the same {@link GenerationQueue} and steps several of them per pass over the weights.
 */
public final class SerialScheduler implements AutoCloseable {
  private final GenerationQueue queue;
  private final PrefixSessions sessions;
  private final Thread thread;
  private volatile boolean closing;
  private volatile long cacheBytes;

  public SerialScheduler(Model model, GenerationQueue queue, int sessions) {
    this.queue = queue;
    this.sessions = new PrefixSessions(model, sessions);
    this.thread = Thread.ofPlatform().name("cromwell-model").daemon().unstarted(this::loop);
    thread.start();
  }

  private void loop() {
    while (!closing) {
      GenerationJob job;
      try {
        job = queue.take(200);
      } catch (InterruptedException e) {
        return;
      }
      if (job != null) {
        long start = System.nanoTime();
        try {
          run(job, start);
        } catch (RuntimeException | Error e) {
          job.result().completeExceptionally(e);
        } finally {
          queue.finished((System.nanoTime() - start) / 1e9);
        }
      }
    }
  }

  private void run(GenerationJob job, long start) {
    if (job.cancelled().getAsBoolean()) {
      job.result().cancel(false);
      return;
    }
    if (job.expired(start)) {
      job.result()
          .completeExceptionally(
              new TimeoutException("the request waited in the queue past its timeout"));
      return;
    }
    BooleanSupplier stop =
        () -> closing || job.cancelled().getAsBoolean() || job.expired(System.nanoTime());
    Session session = sessions.forPrompt(job.request().prompt());
    GenerationResult result = Generator.generate(session, job.request(), job.listener(), stop);
    cacheBytes = sessions.cacheBytes();
    boolean timedOut =
        result.stopReason() == StopReason.CANCELLED
            && !job.cancelled().getAsBoolean()
            && job.expired(System.nanoTime());
    job.result().complete(new GenerationJob.Outcome(result, start - job.admittedNanos(), timedOut));
  }

  /** Bytes held by the sessions' KV caches, as of the last finished job. */
  public long cacheBytes() {
    return cacheBytes;
  }

  @Override
  public void close() {
    closing = true;
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
