package dev.cromwell.engine.generate;

import dev.cromwell.engine.model.Session;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * One request's generation in a session, advanced a model pass at a time: a part of the prompt,
 * then tokens up to and including the next that runs a pass (one token, or one with its draft when
 * speculating: the drafted tokens chosen after it cost no pass and go with the next part). {@link
 * Generator} runs it to the end in one go; a scheduler that shares the model with other requests
 * runs one pass of it between theirs. Either way it decodes the same tokens, in the same passes.
 */
public final class SteppedGeneration {
  private final Session session;
  private final Speculation speculation;
  private final int promptPart;
  private final GenerationRun run;
  // The prompt tokens the session held before the first part (-1 until it ran): a later part's
  // lastReused counts the earlier parts' tokens too.
  private int reused = -1;
  private Stepper stepper;
  private float[] logits;
  private GenerationResult result;

  /**
   * Starts the request's clock (its time limit counts from here).
   *
   * @param promptPart the most prompt tokens one {@link #advance} computes ({@link
   *     Integer#MAX_VALUE}: the whole prompt in the first)
   */
  public SteppedGeneration(
      Session session,
      GenerationRequest request,
      Generator.Listener listener,
      BooleanSupplier cancelled,
      Speculation speculation,
      int promptPart) {
    this.session = session;
    this.speculation = speculation;
    this.promptPart = promptPart;
    this.run = new GenerationRun(session.model(), request, listener, cancelled);
  }

  /**
   * Runs the next pass: the result once the generation has ended (its session then holds exactly
   * the prompt and the tokens generated; later calls return it again), else empty.
   */
  public Optional<GenerationResult> advance() {
    if (result != null) {
      return Optional.of(result);
    }
    if (stepper == null) {
      return prefillPart();
    }
    for (int token = run.next(logits, stepper.history());
        token >= 0;
        token = run.next(logits, stepper.history())) {
      logits = stepper.next(token, run.remaining());
      if (stepper.passed()) {
        return Optional.empty();
      }
    }
    stepper.finish();
    if (stepper instanceof SpeculativeStepper speculative) {
      speculative.report();
    }
    result = run.finish(stepper.drafted(), stepper.accepted());
    return Optional.of(result);
  }

  private Optional<GenerationResult> prefillPart() {
    GenerationRequest request = run.request();
    boolean first = reused < 0;
    try {
      logits = session.prefillPart(request.prompt(), promptPart, run.promptStop());
    } catch (CancellationException e) {
      result = run.stoppedInPrompt(first ? session.lastReused() : reused);
      return Optional.of(result);
    }
    if (first) {
      reused = session.lastReused();
    }
    if (logits == null) {
      return Optional.empty();
    }
    run.promptDone(reused);
    stepper =
        speculation.appliesTo(request)
            ? new SpeculativeStepper(session, speculation.source(run.promptStop()))
            : new Stepper.Plain(session);
    return Optional.empty();
  }
}
