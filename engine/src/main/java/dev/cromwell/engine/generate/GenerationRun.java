package dev.cromwell.engine.generate;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.tokenizer.IntList;
import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.engine.tokenizer.Utf8Stream;
import dev.cromwell.engine.tokenizer.Vocabulary;
import java.util.function.BooleanSupplier;

/**
 * One request's decoding rules, apart from how its tokens reach the model: from the logits after
 * each token it picks the next one (sampling) or decides to stop (end and stop tokens, stop
 * strings, the text stop, max tokens, the time limit, a full context, cancellation), and it streams
 * the text to the listener. {@link Generator} drives one run through a session token by token; a
 * batching scheduler drives several, one step of the batch each. Both therefore stop, sample and
 * stream the same way.
 *
 * <p>Use: {@link #promptStop()} while prefilling the prompt, then either {@link #stoppedInPrompt}
 * or {@link #promptDone}; then {@link #next} with the logits after every token until it returns -1;
 * then {@link #finish}.
 */
public final class GenerationRun {
  private final GenerationRequest request;
  private final Generator.Listener listener;
  private final BooleanSupplier cancelled;
  private final Tokenizer tokenizer;
  private final Vocabulary vocabulary;
  private final int contextLength;
  private final Sampler sampler;
  private final long start;
  private final BooleanSupplier overTime;
  private final IntList generated = new IntList();
  private final Utf8Stream utf8;
  private final StopStringMatcher stops;
  private final StringBuilder text = new StringBuilder();
  private StopReason reason;
  private long promptDone;
  private int promptReused;
  private long firstToken;

  /** Starts the clock: the time limit counts from here, the prompt included. */
  public GenerationRun(
      Model model,
      GenerationRequest request,
      Generator.Listener listener,
      BooleanSupplier cancelled) {
    this.request = request;
    this.listener = listener;
    this.cancelled = cancelled;
    this.tokenizer = model.tokenizer();
    this.vocabulary = tokenizer.vocabulary();
    this.contextLength = model.contextLength();
    this.sampler = new Sampler(request.sampler());
    this.start = System.nanoTime();
    long limit = request.timeLimitNanos();
    this.overTime = () -> limit > 0 && System.nanoTime() - start > limit;
    this.utf8 = tokenizer.newStream();
    this.stops = new StopStringMatcher(request.stopStrings());
  }

  public GenerationRequest request() {
    return request;
  }

  /** What the prompt's prefill checks between chunks: cancelled or out of time. */
  public BooleanSupplier promptStop() {
    return () -> cancelled.getAsBoolean() || overTime.getAsBoolean();
  }

  /** The result of a run whose prompt was stopped by {@link #promptStop()}. */
  public GenerationResult stoppedInPrompt(int promptReused) {
    long now = System.nanoTime();
    return new GenerationResult(
        "",
        new int[0],
        cancelled.getAsBoolean() ? StopReason.CANCELLED : StopReason.TIME_LIMIT,
        new GenerationStats(request.prompt().length, promptReused, now - start, 0, 0, 0));
  }

  /** The prompt is in the session; {@code promptReused} of its tokens came from the cache. */
  public void promptDone(int promptReused) {
    this.promptDone = System.nanoTime();
    this.promptReused = promptReused;
  }

  /**
   * Decides what follows {@code logits}, the logits after the last of {@code history} (the
   * sequence's tokens so far, prompt included): the token to feed next, or -1 when the run has
   * ended ({@link #reason()} says why). {@code logits} may be modified.
   */
  public int next(float[] logits, int[] history) {
    if (reason != null) {
      return -1;
    }
    if (generated.size() >= request.maxTokens()) {
      return stop(StopReason.MAX_TOKENS);
    }
    if (cancelled.getAsBoolean()) {
      return stop(StopReason.CANCELLED);
    }
    if (overTime.getAsBoolean()) {
      return stop(StopReason.TIME_LIMIT);
    }
    // The request's first-token rule (token healing) picks the first token here, so Generator
    // and the batching scheduler apply it alike.
    GenerationRequest.FirstToken rule = request.firstToken();
    int token =
        rule != null && firstToken == 0 ? rule.choose(logits) : sampler.sample(logits, history);
    if (firstToken == 0) {
      firstToken = System.nanoTime() - start;
    }
    if (vocabulary.isEndOfGeneration(token)) {
      return stop(StopReason.END_OF_TEXT);
    }
    if (request.stopTokens().contains(token)) {
      return stop(StopReason.STOP_SEQUENCE);
    }
    generated.add(token);
    listener.onToken(token);
    String piece = utf8.push(tokenizer.tokenBytes(token, false));
    StopStringMatcher.Result r = stops.accept(piece);
    text.append(r.released());
    if (!r.released().isEmpty()) {
      listener.onText(r.released());
    }
    if (r.stopped()) {
      return stop(StopReason.STOP_SEQUENCE);
    }
    int keep = r.released().isEmpty() ? -1 : request.textStop().cut(text.toString());
    if (keep >= 0) {
      // The listener may already have seen text past the cut; the result is what counts.
      text.setLength(Math.min(keep, text.length()));
      return stop(StopReason.STOP_SEQUENCE);
    }
    if (history.length >= contextLength) {
      return stop(StopReason.CONTEXT_FULL);
    }
    return token;
  }

  private int stop(StopReason why) {
    reason = why;
    return -1;
  }

  /** Why the run ended; null while it goes on. */
  public StopReason reason() {
    return reason;
  }

  /** Tokens the run may still generate after the one {@link #next} just returned. */
  public int remaining() {
    return request.maxTokens() - generated.size();
  }

  /** Releases text held back for stop strings and returns the result (once {@link #next} ended). */
  public GenerationResult finish(int drafted, int accepted) {
    if (reason == null) {
      throw new IllegalStateException("the run has not ended");
    }
    if (reason != StopReason.STOP_SEQUENCE) {
      String rest = stops.finish(utf8.finish());
      text.append(rest);
      if (!rest.isEmpty()) {
        listener.onText(rest);
      }
    }
    long end = System.nanoTime();
    GenerationStats stats =
        new GenerationStats(
            request.prompt().length,
            promptReused,
            promptDone - start,
            generated.size(),
            end - promptDone,
            firstToken,
            drafted,
            accepted);
    return new GenerationResult(text.toString(), generated.toArray(), reason, stats);
  }
}
