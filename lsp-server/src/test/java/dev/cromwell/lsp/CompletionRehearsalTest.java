package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.context.TokenCounter;
import dev.cromwell.engine.model.Model;
import dev.cromwell.testing.RealModels;
import java.util.concurrent.atomic.AtomicInteger;
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
      CompletionLane.Outcome outcome = CompletionRehearsal.run(completer, counting);
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
}
