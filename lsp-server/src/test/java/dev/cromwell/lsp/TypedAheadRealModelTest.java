package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Typing out a suggestion ({@link TypedAhead}) on the real SmolLM2, through the server: the answer
 * is the rest of the suggestion, without the model, and it is what a fresh request for the same
 * text gives; typing something else, or typing on at an indentation-only line, asks the model.
 */
class TypedAheadRealModelTest {
  /** A document, the cursor, and how many of the suggestion's characters the user types. */
  record Case(String name, String text, int line, int column, int typed) {
    /** The text with {@code typed} inserted at the cursor. */
    String with(String typed) {
      int at = 0;
      for (int i = 0; i < line; i++) {
        at = text.indexOf('\n', at) + 1;
      }
      return text.substring(0, at + column) + typed + text.substring(at + column);
    }
  }

  /** Mid-line, where the suggestion is one line: the user types its first character. */
  static final Case MID_LINE =
      new Case(
          "mid-line",
          "def add(a, b):\n    return a + b\n\n\ndef multiply(a, b):\n    return \n",
          5,
          11,
          1);

  /**
   * An indentation-only line, whose prompt leaves the indentation out: SmolLM2 shows "def
   * sum_of_squares(n):" there, and asked again once "def" is typed it wrote "_sum_of_values".
   */
  static final Case INDENTED =
      new Case("indented", "def total(values):\n    s = 0\n    \n", 2, 4, 3);

  @Test
  void typingOutASuggestionAnswersItsRestAsAFreshRequestDoes() throws Exception {
    try (LspHarness h = RealModelServer.start("timeLimitMs", "30000", "maxTokens", "24")) {
      // The suggestion's first character typed: its rest, without the model.
      Case c = MID_LINE;
      String shown = shown(h, c);
      String typed = shown.substring(0, c.typed());
      String rest = type(h, c, 2, c.column(), typed);
      assertEquals(1, typedAhead(h), "answered without the model");
      assertEquals(shown.substring(c.typed()), rest, "the rest of the shown suggestion");
      // Typing on goes on from that answer.
      assertEquals(rest.substring(1), type(h, c, 3, c.column() + 1, rest.substring(0, 1)));
      assertEquals(2, typedAhead(h), "answered without the model again");
      assertEquals(fresh(h, c, typed), rest, "what a fresh request gives");
      assertEquals(2, typedAhead(h), "a new document asks the model");

      // Another character than the suggestion's: the model, as for a fresh request.
      Case other = new Case("other", c.text(), c.line(), c.column(), 1);
      String different = shown(h, other).startsWith("(") ? "[" : "(";
      String answer = type(h, other, 2, other.column(), different);
      assertEquals(2, typedAhead(h), "typing another character asks the model");
      assertEquals(fresh(h, other, different), answer);

      // At an indentation-only line the prompt changes shape once the user types: the model.
      Case indented = INDENTED;
      typed = shown(h, indented).substring(0, indented.typed());
      answer = type(h, indented, 2, indented.column(), typed);
      assertEquals(2, typedAhead(h), "the prompt changes shape: the model is asked");
      assertEquals(fresh(h, indented, typed), answer);
    }
  }

  /** Opens the case's document and returns the suggestion at its cursor. */
  private static String shown(LspHarness h, Case c) throws Exception {
    String s = RealModelServer.suggestion(h, uri(c), c.text(), c.line(), c.column());
    assertTrue(s.length() > c.typed(), c.name() + ": too short to type into: " + s);
    return s;
  }

  /**
   * Types {@code text} at {@code column} of the case's line (version {@code version}): the answer.
   */
  private static String type(LspHarness h, Case c, int version, int column, String text)
      throws Exception {
    LspServerTest.edit(h, uri(c), version, c.line(), column, column, text);
    var items =
        LspServerTest.inline(h, uri(c), c.line(), column + text.length())
            .get(180, TimeUnit.SECONDS);
    return items.isEmpty() ? "" : items.get(0).getInsertText().getLeft();
  }

  /** The suggestion for the case's text with {@code typed} typed, in a document opened fresh. */
  private static String fresh(LspHarness h, Case c, String typed) throws Exception {
    return RealModelServer.suggestion(
        h,
        "untitled:fresh-" + c.name() + ".py",
        c.with(typed),
        c.line(),
        c.column() + typed.length());
  }

  private static String uri(Case c) {
    return "untitled:ahead-" + c.name() + ".py";
  }

  private static long typedAhead(LspHarness h) throws Exception {
    Map<?, ?> stats = (Map<?, ?>) h.server.status().get(30, TimeUnit.SECONDS).get("stats");
    return ((Number) stats.get("typedAhead")).longValue();
  }
}
