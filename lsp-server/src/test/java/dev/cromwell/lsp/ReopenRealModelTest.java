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
 * A document closed and opened again (a tab reopened, or the warm daemon's next session on the same
 * project) gets its session back on the real SmolLM2: its first completion computes only what the
 * prompt does not share with what was computed before, where a dropped document computes it all.
 */
class ReopenRealModelTest {
  @Test
  void aReopenedDocumentReusesItsClosedSessionAndAForgottenOneStartsOver() {
    try (Model model = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      ModelCompleter completer = new ModelCompleter(model, 1L << 26);
      List<FimFormat.Part> prompt =
          completer.format().render("stats.py", PrimeRealModelTest.CODE, "\n", List.of(), "#");
      Completer.Output first = completer.complete("a", prompt, TextStop.NEVER, 4, 0, () -> false);
      assertEquals(0, first.reusedTokens(), "a new document computes its whole prompt");
      int whole = first.computedTokens();
      assertTrue(whole > 100, "prompt tokens: " + whole);

      completer.closed("a");
      // The lane's cost check sees the kept session before the completion takes it back.
      assertTrue(
          completer.uncachedTokens("a", prompt) <= 1,
          "uncached after closing: " + completer.uncachedTokens("a", prompt));
      assertEquals(1, completer.closedSessions());
      Completer.Output reopened =
          completer.complete("a", prompt, TextStop.NEVER, 4, 0, () -> false);
      assertTrue(
          reopened.computedTokens() <= 1,
          "reopened: computed " + reopened.computedTokens() + " of " + whole);
      assertEquals(first.text(), reopened.text(), "the same suggestion from the kept session");
      assertEquals(0, completer.closedSessions());

      completer.forget("a");
      Completer.Output dropped = completer.complete("a", prompt, TextStop.NEVER, 4, 0, () -> false);
      assertEquals(whole, dropped.computedTokens(), "a forgotten document starts over");
    }
  }
}
