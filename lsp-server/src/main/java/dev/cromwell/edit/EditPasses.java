package dev.cromwell.edit;

import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.generate.SteppedGeneration;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.util.ArrayList;
import java.util.List;
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
   * On the calling thread, to the end at once, prompts in one part, each in the spare session that
   * holds the most of it (two at most; two calls at once get a session each).
   */
  static EditPasses here(Model model) {
    return new EditPasses() {
      /**
       * A fix's conversation and the fill it makes between two turns ({@code EditService}), whose
       * prompt shares none of the conversation: in one session the fill would leave the next turn
       * to compute the whole conversation again.
       */
      private static final int SPARE_SESSIONS = 2;

      private final List<Session> spare = new ArrayList<>();

      @Override
      public <T> T run(int[] prompt, Function<Session, Optional<T>> work) {
        Session session = take(prompt);
        while (true) {
          Optional<T> result = work.apply(session);
          if (result.isPresent()) {
            // Only a session whose work ended normally is reused: a failed pass may have left it
            // between states.
            keep(session);
            return result.get();
          }
        }
      }

      /**
       * The spare session that holds the most of {@code prompt}; a new one when the best would lose
       * most of what it holds (a prompt of another kind, sharing at most a start-of-text token) and
       * there is room for another spare, so that the session not taken keeps its text for a later
       * call.
       */
      private synchronized Session take(int[] prompt) {
        Session best = null;
        for (Session s : spare) {
          if (best == null || s.reusable(prompt) > best.reusable(prompt)) {
            best = s;
          }
        }
        if (best == null
            || (best.reusable(prompt) < best.length() / 2 && spare.size() < SPARE_SESSIONS)) {
          return model.newSession();
        }
        spare.remove(best);
        return best;
      }

      private synchronized void keep(Session session) {
        if (spare.size() < SPARE_SESSIONS) {
          spare.add(session);
        }
      }

      @Override
      public int promptPart() {
        return Integer.MAX_VALUE;
      }
    };
  }
}
