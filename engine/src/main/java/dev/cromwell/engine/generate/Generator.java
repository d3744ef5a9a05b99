package dev.cromwell.engine.generate;

import dev.cromwell.engine.model.Session;
import dev.cromwell.engine.tokenizer.IntList;
import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.engine.tokenizer.Utf8Stream;
import dev.cromwell.engine.tokenizer.Vocabulary;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Runs the decode loop: prefill the prompt (reusing the session's cache), then sample tokens one at
 * a time, streaming complete UTF-8 text to a listener, until an end token, a stop string, the token
 * or time limit, a full context or cancellation.
 */
public final class Generator {
  /** Receives text as it is generated. Text that might begin a stop string is held back. */
  @FunctionalInterface
  public interface Listener {
    void onText(String piece);

    /** Called for every sampled token, before its text (if any) is released. */
    default void onToken(int token) {}
  }

  private Generator() {}

  /** Generates with the default speculation for the request ({@link Speculation#auto}). */
  public static GenerationResult generate(
      Session session, GenerationRequest request, Listener listener, BooleanSupplier cancelled) {
    return generate(session, request, listener, cancelled, Speculation.auto(request));
  }

  /**
   * Generates; with greedy decoding and {@code speculation} enabled, tokens are drafted by prompt
   * lookup and verified in batches, which gives the same tokens in fewer model passes.
   */
  public static GenerationResult generate(
      Session session,
      GenerationRequest request,
      Listener listener,
      BooleanSupplier cancelled,
      Speculation speculation) {
    Tokenizer tokenizer = session.model().tokenizer();
    Vocabulary vocabulary = tokenizer.vocabulary();
    Sampler sampler = new Sampler(request.sampler());
    long start = System.nanoTime();
    long limit = request.timeLimitNanos();
    // The time limit counts from the request, prompt included: a long prompt must not run past it.
    BooleanSupplier overTime = () -> limit > 0 && System.nanoTime() - start > limit;
    float[] logits;
    try {
      logits =
          session.prefill(
              request.prompt(), () -> cancelled.getAsBoolean() || overTime.getAsBoolean());
    } catch (CancellationException e) {
      long now = System.nanoTime();
      return new GenerationResult(
          "",
          new int[0],
          cancelled.getAsBoolean() ? StopReason.CANCELLED : StopReason.TIME_LIMIT,
          new GenerationStats(request.prompt().length, session.lastReused(), now - start, 0, 0, 0));
    }
    long promptDone = System.nanoTime();
    Stepper stepper =
        speculation.appliesTo(request)
            ? new LookupStepper(session, speculation)
            : new Stepper.Plain(session);
    long firstToken = 0;
    IntList generated = new IntList();
    Utf8Stream utf8 = tokenizer.newStream();
    StopStringMatcher stops = new StopStringMatcher(request.stopStrings());
    StringBuilder text = new StringBuilder();
    StopReason reason = StopReason.MAX_TOKENS;

    while (true) {
      if (generated.size() >= request.maxTokens()) {
        reason = StopReason.MAX_TOKENS;
        break;
      }
      if (cancelled.getAsBoolean()) {
        reason = StopReason.CANCELLED;
        break;
      }
      if (overTime.getAsBoolean()) {
        reason = StopReason.TIME_LIMIT;
        break;
      }
      int token = sampler.sample(logits, stepper.history());
      if (firstToken == 0) {
        firstToken = System.nanoTime() - start;
      }
      if (vocabulary.isEndOfGeneration(token)) {
        reason = StopReason.END_OF_TEXT;
        break;
      }
      if (request.stopTokens().contains(token)) {
        reason = StopReason.STOP_SEQUENCE;
        break;
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
        reason = StopReason.STOP_SEQUENCE;
        break;
      }
      int keep = r.released().isEmpty() ? -1 : request.textStop().cut(text.toString());
      if (keep >= 0) {
        // The listener may already have seen text past the cut; the result is what counts.
        text.setLength(Math.min(keep, text.length()));
        reason = StopReason.STOP_SEQUENCE;
        break;
      }
      if (stepper.length() >= session.model().contextLength()) {
        reason = StopReason.CONTEXT_FULL;
        break;
      }
      logits = stepper.next(token, request.maxTokens() - generated.size());
    }
    stepper.finish();
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
            session.lastReused(),
            promptDone - start,
            generated.size(),
            end - promptDone,
            firstToken,
            stepper.drafted(),
            stepper.accepted());
    return new GenerationResult(text.toString(), generated.toArray(), reason, stats);
  }
}
