package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.context.TokenCounter;
import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.model.Model;
import dev.cromwell.protocol.FimFormat;
import dev.cromwell.testing.RealModels;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The warm-up's last completion ({@link CompletionRehearsal}) on the real SmolLM2: it is a request
 * through the editor's whole path, so the index's plan runs (the plan is what counts prompt tokens
 * with the budget's counter), the model generates, and nothing of it stays cached afterwards.
 */
class CompletionRehearsalTest {
  @Test
  void theRehearsalPlansGeneratesAndLeavesNoSession() {
    try (Model model = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      ModelCompleter completer = new ModelCompleter(model, 1L << 26);
      TokenCounter real = ModelRuntime.counterOf(completer);
      AtomicInteger counted = new AtomicInteger();
      TokenCounter counting =
          new TokenCounter() {
            @Override
            public int count(String text) {
              counted.incrementAndGet();
              return real.count(text);
            }

            @Override
            public String description() {
              return "counting " + real.description();
            }
          };

      java.util.Set<String> before = warmupFolders();
      CompletionLane.Outcome outcome = CompletionRehearsal.run(completer, counting, () -> false);
      assertEquals(before, warmupFolders(), "the rehearsal's workspace was left behind");

      assertTrue(counted.get() > 0, "the index's plan counted no tokens: it did not run");
      CompletionLane.Outcome.Ran ran = assertInstanceOf(CompletionLane.Outcome.Ran.class, outcome);
      assertFalse(ran.cancelled());
      assertTrue(
          ran.output().computedTokens() > 0, "the model computed no prompt: " + ran.output());
      assertEquals(0, completer.sessions(), "the rehearsal's document stays cached");
    }
  }

  /** The temporary workspaces of rehearsals in the temporary folder. */
  private static java.util.Set<String> warmupFolders() {
    try (var entries =
        java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("cromwell-warmup"))
          .collect(java.util.stream.Collectors.toSet());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theWarmUpEndsWithTheRehearsal() {
    try (Model model = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      ModelWarmup.Phases phases = ModelWarmup.run(new ModelCompleter(model, 1L << 26));
      assertTrue(phases.rehearsed(), "the warm-up ran no editor request: " + phases);
    }
  }

  /**
   * A newer configuration that arrives while the rehearsal generates supersedes the load the
   * rehearsal warms up: its generation stops at once, as a user's replaced request does, instead of
   * holding the loader (and the model about to be closed) until its own time limit. The real
   * SmolLM2 generates; the supersession is set the moment its generation begins.
   */
  @Test
  void aSupersessionDuringTheRehearsalStopsItsGeneration() {
    try (Model model = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      AtomicBoolean superseded = new AtomicBoolean();
      Completer supersededOnceItGenerates =
          new Delegating(new ModelCompleter(model, 1L << 26)) {
            @Override
            public Output complete(
                String documentKey,
                List<FimFormat.Part> prompt,
                GenerationRequest.TextStop stop,
                int maxTokens,
                long timeLimitNanos,
                BooleanSupplier cancelled) {
              superseded.set(true);
              return super.complete(
                  documentKey, prompt, stop, maxTokens, timeLimitNanos, cancelled);
            }
          };

      CompletionLane.Outcome outcome =
          CompletionRehearsal.run(supersededOnceItGenerates, superseded::get);

      CompletionLane.Outcome.Ran ran = assertInstanceOf(CompletionLane.Outcome.Ran.class, outcome);
      assertTrue(ran.cancelled(), "the rehearsal ignored its load's supersession: " + ran);
      assertEquals(0, ran.output().generatedTokens(), "it generated after the supersession");
    }
  }

  /** A load superseded before the rehearsal's request runs drops the request unrun. */
  @Test
  void aRehearsalOfASupersededLoadDoesNotRun() {
    try (Model model = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      AtomicInteger generations = new AtomicInteger();
      Completer counting =
          new Delegating(new ModelCompleter(model, 1L << 26)) {
            @Override
            public Output complete(
                String documentKey,
                List<FimFormat.Part> prompt,
                GenerationRequest.TextStop stop,
                int maxTokens,
                long timeLimitNanos,
                BooleanSupplier cancelled) {
              generations.incrementAndGet();
              return super.complete(
                  documentKey, prompt, stop, maxTokens, timeLimitNanos, cancelled);
            }
          };

      CompletionLane.Outcome outcome = CompletionRehearsal.run(counting, () -> true);

      assertInstanceOf(CompletionLane.Outcome.Superseded.class, outcome);
      assertEquals(0, generations.get(), "the superseded rehearsal still generated");
    }
  }

  /** A completer that hands everything to another, for tests that watch one call. */
  private static class Delegating implements Completer {
    private final Completer inner;

    Delegating(Completer inner) {
      this.inner = inner;
    }

    @Override
    public Output complete(
        String documentKey,
        List<FimFormat.Part> prompt,
        GenerationRequest.TextStop stop,
        int maxTokens,
        long timeLimitNanos,
        BooleanSupplier cancelled) {
      return inner.complete(documentKey, prompt, stop, maxTokens, timeLimitNanos, cancelled);
    }

    @Override
    public FimFormat format() {
      return inner.format();
    }

    @Override
    public void forget(String documentKey) {
      inner.forget(documentKey);
    }

    @Override
    public int sessions() {
      return inner.sessions();
    }

    @Override
    public int uncachedTokens(String documentKey, List<FimFormat.Part> prompt) {
      return inner.uncachedTokens(documentKey, prompt);
    }

    @Override
    public double prefillTokensPerSecond() {
      return inner.prefillTokensPerSecond();
    }

    @Override
    public int countTokens(String text) {
      return inner.countTokens(text);
    }
  }
}
