package dev.cromwell.engine.generate;

import dev.cromwell.engine.model.Session;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Runs the decode loop of one request alone: prefill the prompt (reusing the session's cache), then
 * feed the tokens that its {@link GenerationRun} picks, one model pass at a time (or verified
 * drafts at a time), until the run ends.
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
    return generate(
        session, request, listener, cancelled, Speculation.auto(request, session.model().config()));
  }

  /**
   * Generates; with greedy decoding and {@code speculation} enabled, tokens are drafted (by prompt
   * lookup and/or a draft model) and verified in batches, which gives the same tokens in fewer
   * model passes.
   */
  public static GenerationResult generate(
      Session session,
      GenerationRequest request,
      Listener listener,
      BooleanSupplier cancelled,
      Speculation speculation) {
    GenerationRun run = new GenerationRun(session.model(), request, listener, cancelled);
    float[] logits;
    try {
      logits = session.prefill(request.prompt(), run.promptStop());
    } catch (CancellationException e) {
      return run.stoppedInPrompt(session.lastReused());
    }
    run.promptDone(session.lastReused());
    Stepper stepper =
        speculation.appliesTo(request)
            ? new SpeculativeStepper(session, speculation.source(run.promptStop()))
            : new Stepper.Plain(session);
    for (int token = run.next(logits, stepper.history());
        token >= 0;
        token = run.next(logits, stepper.history())) {
      logits = stepper.next(token, run.remaining());
    }
    stepper.finish();
    if (stepper instanceof SpeculativeStepper speculative) {
      speculative.report();
    }
    return run.finish(stepper.drafted(), stepper.accepted());
  }
}
