package dev.cromwell.http;

import dev.cromwell.engine.generate.Generator;
import dev.cromwell.service.GenerationJob;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands generated text from the model's thread to the request's own (virtual) thread, which writes
 * it to the client. The model never waits for a slow client: each request buffers at most its
 * max_tokens worth of text, and the admission queue bounds the number of requests. A write that
 * fails (the client went away) cancels the generation, which the scheduler checks before every
 * token and between chunks of the prompt.
 */
final class TokenPump implements Generator.Listener {
  /** What the request's thread does with each event. */
  interface Sink {
    /**
     * A sampled token, before its text: one per token, for liveness checks ({@link
     * ApiExchange#probe}).
     */
    void token() throws IOException;

    void text(String piece) throws IOException;

    /**
     * Nothing has come for {@link #QUIET_PROBE_MILLIS} (the request waits in the queue or its
     * prompt is computed): a liveness check where the response allows one, so that a client that
     * hung up meanwhile cancels its prompt between two chunks instead of after the whole prompt.
     */
    default void quiet() throws IOException {}
  }

  /**
   * How long the request's thread waits without an event before it calls {@link Sink#quiet}: a
   * prompt of a few thousand tokens takes seconds, and a probe costs two tiny writes.
   */
  static final long QUIET_PROBE_MILLIS = 500;

  private static final Object TOKEN = new Object();

  private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private volatile boolean cancelled;

  @Override
  public void onToken(int token) {
    events.add(TOKEN);
  }

  @Override
  public void onText(String piece) {
    events.add(piece);
  }

  boolean cancelled() {
    return cancelled;
  }

  void cancel() {
    cancelled = true;
  }

  /**
   * Delivers events until the job is done and every event is delivered; returns false (and cancels
   * the job) if the sink failed because the client disconnected.
   */
  boolean drain(CompletableFuture<GenerationJob.Outcome> job, Sink sink)
      throws InterruptedException {
    long quietSince = System.nanoTime();
    while (true) {
      Object event = events.poll(20, TimeUnit.MILLISECONDS);
      if (event == null) {
        if (job.isDone() && events.isEmpty()) {
          return true;
        }
        if (System.nanoTime() - quietSince >= TimeUnit.MILLISECONDS.toNanos(QUIET_PROBE_MILLIS)) {
          quietSince = System.nanoTime();
          try {
            sink.quiet();
          } catch (IOException e) {
            cancel();
            return false;
          }
        }
        continue;
      }
      quietSince = System.nanoTime();
      try {
        if (event == TOKEN) {
          sink.token();
        } else {
          sink.text((String) event);
        }
      } catch (IOException e) {
        cancel();
        return false;
      }
    }
  }
}
