package dev.cromwell.edit;

import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.generate.SteppedGeneration;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Where an edit's work on the model runs, a part (one pass) at a time: {@link #here}, on the
 * calling thread in a session of the edit's own, for the command line and the benchmarks; or
 * between other requests' passes, as the editor server's scheduler runs it so that completions of
 * other documents go on during an edit.
 */
public interface EditPasses {
  /**
   * Calls {@code work} with one session until it returns a result, and returns that. The session
   * holds the most of {@code prompt} that an earlier call's session left (a follow-up turn of the
   * same conversation, or the generation after a scoring of its head), so {@code work} computes
   * only the rest.
   *
   * @throws java.util.concurrent.CancellationException when the model went away meanwhile
   */
  <T> T run(int[] prompt, Function<Session, Optional<T>> work);

  /** The most prompt tokens one part should compute. */
  int promptPart();

  /**
   * Runs {@code request} to its end, a pass a part ({@link SteppedGeneration}), speculating as
   * {@code speculation} says; {@code listener} gets its text as it comes.
   */
  default GenerationResult generate(
      GenerationRequest request,
      Generator.Listener listener,
      BooleanSupplier cancelled,
      Speculation speculation) {
    AtomicReference<SteppedGeneration> generation = new AtomicReference<>();
    return run(
        request.prompt(),
        session -> {
          if (generation.get() == null) {
            generation.set(
                new SteppedGeneration(
                    session, request, listener, cancelled, speculation, promptPart()));
          }
          return generation.get().advance();
        });
  }

  /**
   * On the calling thread, to the end at once, in one session that the next call reuses (two calls
   * at once get a session each); prompts in one part.
   */
  static EditPasses here(Model model) {
    AtomicReference<Session> spare = new AtomicReference<>();
    return new EditPasses() {
      @Override
      public <T> T run(int[] prompt, Function<Session, Optional<T>> work) {
        Session session = spare.getAndSet(null);
        if (session == null) {
          session = model.newSession();
        }
        while (true) {
          Optional<T> result = work.apply(session);
          if (result.isPresent()) {
            // Only a session whose work ended normally is reused: a failed pass may have left it
            // between states.
            spare.set(session);
            return result.get();
          }
        }
      }

      @Override
      public int promptPart() {
        return Integer.MAX_VALUE;
      }
    };
  }
}
