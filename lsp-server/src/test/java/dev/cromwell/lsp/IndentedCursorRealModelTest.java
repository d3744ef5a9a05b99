package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cursor after the indentation an editor inserts on Enter, on the real SmolLM2 through the
 * server over a real pipe: the suggestion goes on from the typed indentation, so it never starts
 * with whitespace or a blank line (a prompt ending on the indentation's own token made the models
 * start with a newline: " \n for …").
 */
class IndentedCursorRealModelTest {
  /** A file, and the cursor at the end of an indentation-only line. */
  record Case(String text, int line, int column) {}

  static final List<Case> CASES =
      List.of(
          new Case("def total(values):\n    \"\"\"The sum of values.\"\"\"\n    \n", 2, 4),
          new Case(
              "def count_even(values):\n    n = 0\n    for v in values:\n        \n    return n\n",
              3,
              8),
          // Where SmolLM2 answers with text (at the two above it writes a fence and prose).
          new Case(
              "import os\n\n\ndef list_files(path):\n    names = []\n"
                  + "    for name in os.listdir(path):\n        \n    return names\n",
              6,
              8));

  @Test
  void aSuggestionAtAnIndentedCursorStartsWithCode() throws Exception {
    try (LspHarness h = RealModelServer.start("timeLimitMs", "20000", "maxTokens", "24")) {
      StringBuilder seen = new StringBuilder();
      int answered = 0;
      for (int i = 0; i < CASES.size(); i++) {
        Case c = CASES.get(i);
        String s =
            RealModelServer.suggestion(
                h, "untitled:indent" + i + ".py", c.text(), c.line(), c.column());
        seen.append(c.column()).append(" spaces → ").append(s.replace("\n", "⏎")).append('\n');
        // SmolLM2 answers the first two cases with a Markdown fence and prose, which the stop
        // rules leave empty (CompletionStops); a suggestion that is there must start with code.
        if (!s.isEmpty()) {
          answered++;
          assertFalse(
              Character.isWhitespace(s.charAt(0)),
              "the suggestion does not go on from the typed indentation:\n" + seen);
        }
      }
      assertTrue(answered > 0, "no suggestion at any indented cursor:\n" + seen);
    }
  }
}
