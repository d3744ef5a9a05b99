package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.model.Model;
import dev.cromwell.prompt.PromptTokens;
import dev.cromwell.protocol.FimFormat;
import dev.cromwell.testing.RealModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Token healing on the real SmolLM2, through the server over a real pipe. */
class TokenHealingRealModelTest {
  /**
   * A line typed up to inside a word, the partial word at the cursor, and the word the suggestion
   * must complete it to (null: any). Without healing SmolLM2 answers "for v in val" with ":" (and
   * "import o" with "[0] = 10"); healed it writes "ues:".
   */
  record Case(String text, int line, int column, String partial, String word) {}

  static final List<Case> CASES =
      List.of(
          new Case("def is_odd(n):\n    if n\n", 1, 8, "n", null),
          new Case("def total(values):\n    s = 0\n    for v in val\n", 2, 16, "val", "values"),
          new Case("import o\n", 0, 8, "o", null),
          new Case("def area(r):\n    retur\n", 1, 9, "retur", null));

  @Test
  void aSuggestionNeverStartsTheTypedWordAgain() throws Exception {
    try (LspHarness h = RealModelServer.start("timeLimitMs", "20000", "maxTokens", "12")) {
      StringBuilder seen = new StringBuilder();
      for (int i = 0; i < CASES.size(); i++) {
        Case c = CASES.get(i);
        String s =
            RealModelServer.suggestion(
                h, "untitled:heal" + i + ".py", c.text(), c.line(), c.column());
        seen.append(c.partial()).append(" → ").append(s.replace("\n", "⏎")).append('\n');
        assertFalse(
            s.stripLeading().startsWith(c.partial()),
            "the suggestion starts \"" + c.partial() + "\" again:\n" + seen);
        if (c.word() != null) {
          assertTrue(
              (c.partial() + s).startsWith(c.word()),
              "\"" + c.partial() + "\" is not completed to \"" + c.word() + "\":\n" + seen);
        }
      }
    }
  }

  @Test
  void healingBacksUpOneTokenOfTheCursorLineAndTheChosenTokensSpellItOut() {
    try (Model model = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      ModelCompleter completer = new ModelCompleter(model, 1L << 26);
      assertEquals(FimFormat.PREFIX_ONLY, completer.format()); // SmolLM2 has no FIM tokens
      List<FimFormat.Part> prompt =
          completer.format().render("a.py", "def f(n):\n    if n", "\n", List.of(), "#");
      PromptTokens.Encoded e = completer.encode(prompt);
      TokenHealing healing = new TokenHealing(model.tokenizer());
      TokenHealing.Plan plan = healing.plan(e.tokens(), e.cursorEnd());
      assertEquals(" n", new String(plan.removed(), java.nio.charset.StandardCharsets.UTF_8));
      assertEquals(e.tokens().length - 1, plan.prompt().length);
      // A word typed partly in two pieces (" res" "ul") that one token spells out (" result"):
      // both pieces are backed up, so the model can choose the whole word.
      List<FimFormat.Part> pieces =
          completer.format().render("a.py", "def f(n):\n    resul", "\n", List.of(), "#");
      PromptTokens.Encoded p = completer.encode(pieces);
      TokenHealing.Plan both = healing.plan(p.tokens(), p.cursorEnd());
      assertEquals(" resul", new String(both.removed(), java.nio.charset.StandardCharsets.UTF_8));
      assertEquals(p.tokens().length - 2, both.prompt().length);
      // A token ending in a newline is never backed up (the cursor's line only).
      List<FimFormat.Part> atLineStart =
          completer.format().render("a.py", "x = 1\n", "", List.of(), "#");
      PromptTokens.Encoded l = completer.encode(atLineStart);
      assertFalse(healing.plan(l.tokens(), l.cursorEnd()).heals());
      // Whatever the logits, the choice agrees with the removed bytes.
      float[] logits = new float[model.tokenizer().vocabulary().size()];
      java.util.Random r = new java.util.Random(7);
      for (int i = 0; i < logits.length; i++) {
        logits[i] = r.nextFloat();
      }
      byte[] chosen = healing.bytes(healing.choose(logits, plan.removed()));
      int n = plan.removed().length;
      assertTrue(chosen.length >= n && java.util.Arrays.equals(chosen, 0, n, plan.removed(), 0, n));
    }
  }
}
