package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.generate.GenerationRequest.TextStop;
import dev.cromwell.engine.model.Model;
import dev.cromwell.protocol.FimFormat;
import dev.cromwell.testing.RealModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Computing a whole prompt in the background ({@link ModelCompleter#prime}) on the real SmolLM2: it
 * goes in pieces of {@link ModelCompleter#PRIME_PIECE} tokens and stops between two once told to (a
 * newer request then waits for one piece at most, not for the engine's 64-token chunk), and what it
 * computed is what the next completion reuses.
 */
class PrimeRealModelTest {
  static final String CODE =
      """
      import os


      def read_lines(path):
          with open(path, encoding="utf-8") as f:
              return [line.rstrip("\\n") for line in f]


      def count_words(path):
          words = 0
          for line in read_lines(path):
              words += len(line.split())
          return words


      def newest(folder):
          names = [os.path.join(folder, n) for n in os.listdir(folder)]
          return\
      """;

  @Test
  void aPrimeStopsBetweenPiecesAndTheNextCompletionReusesWhatItComputed() {
    try (Model model = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      ModelCompleter completer = new ModelCompleter(model, 1L << 26);
      List<FimFormat.Part> prompt =
          completer.format().render("stats.py", CODE, "\n", List.of(), "#");
      int total = completer.uncachedTokens("a", prompt);
      assertTrue(total > 3 * ModelCompleter.PRIME_PIECE, "a prompt of several pieces: " + total);

      // Told to stop once anything is cached: one piece, then it stops.
      completer.prime("a", prompt, () -> completer.uncachedTokens("a", prompt) < total);
      assertEquals(total - ModelCompleter.PRIME_PIECE, completer.uncachedTokens("a", prompt));

      // Not told to stop: the whole prompt, going on from the piece already there.
      completer.prime("a", prompt, () -> false);
      assertEquals(0, completer.uncachedTokens("a", prompt));

      // The completion computes only what token healing backs up (the cursor's last token).
      Completer.Output out = completer.complete("a", prompt, TextStop.NEVER, 4, 0, () -> false);
      assertTrue(out.computedTokens() <= 1, "computed " + out.computedTokens() + " of " + total);
      assertEquals(total - 1 - out.computedTokens(), out.reusedTokens());
    }
  }
}
