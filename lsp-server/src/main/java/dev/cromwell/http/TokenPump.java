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
 * token.
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
  }

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
    while (true) {
      Object event = events.poll(20, TimeUnit.MILLISECONDS);
      if (event == null) {
        if (job.isDone() && events.isEmpty()) {
          return true;
        }
        continue;
      }
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
