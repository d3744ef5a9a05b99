package dev.cromwell.engine.generate;

import dev.cromwell.engine.model.Session;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Runs the decode loop of one request alone, to its end ({@link SteppedGeneration}): prefill the
 * prompt (reusing the session's cache), then feed the tokens that its {@link GenerationRun} picks,
 * one model pass at a time (or verified drafts at a time), until the run ends.
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
    SteppedGeneration generation =
        new SteppedGeneration(
            session, request, listener, cancelled, speculation, Integer.MAX_VALUE);
    while (true) {
      Optional<GenerationResult> result = generation.advance();
      if (result.isPresent()) {
        return result.get();
      }
    }
  }
}
