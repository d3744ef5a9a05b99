package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Typing out a suggestion ({@link TypedAhead}) on the real SmolLM2, through the server: the answer
 * is the rest of the suggestion, without the model, and it is what a fresh request for the same
 * text gives.
 */
class TypedAheadRealModelTest {
  /** A document, the cursor, and how many of the suggestion's characters the user types. */
  record Case(String name, String text, int line, int column, int typed) {}

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
   * sum_of_squares(n):" there, and asked after " def" it writes " _sum_of_values(values):".
   */
  static final Case INDENTED =
      new Case("indented", "def total(values):\n    s = 0\n    \n", 2, 4, 3);

  @Test
  void typingASuggestionsStartAnswersItsRestAsAFreshRequestDoes() throws Exception {
    try (LspHarness h = RealModelServer.start("timeLimitMs", "30000", "maxTokens", "24")) {
      Case c = MID_LINE;
      String uri = "untitled:ahead.py";
      String shown = RealModelServer.suggestion(h, uri, c.text(), c.line(), c.column());
      assertTrue(shown.length() > c.typed(), "too short to type into: " + shown);
      String typed = shown.substring(0, c.typed());
      LspServerTest.edit(h, uri, 2, c.line(), c.column(), c.column(), typed);
      String rest = inline(h, uri, c.line(), c.column() + c.typed());
      assertEquals(1, typedAhead(h), "answered without the model");
      assertEquals(shown.substring(c.typed()), rest, "the rest of the shown suggestion");
      // Typing on goes on from the answer.
      LspServerTest.edit(h, uri, 3, c.line(), c.column() + 1, c.column() + 1, rest.substring(0, 1));
      assertEquals(rest.substring(1), inline(h, uri, c.line(), c.column() + 2));
      assertEquals(2, typedAhead(h), "answered without the model again");
      // The same text, opened fresh, goes to the model and gives the same rest.
      String fresh =
          RealModelServer.suggestion(
              h,
              "untitled:fresh.py",
              insert(c.text(), c.line(), c.column(), typed),
              c.line(),
              c.column() + c.typed());
      assertEquals(2, typedAhead(h), "a new document asks the model");
      assertEquals(fresh, rest, "what a fresh request gives");
    }
  }

  @Test
  void atAnIndentationOnlyLineTypingOnAsksTheModel() throws Exception {
    try (LspHarness h = RealModelServer.start("timeLimitMs", "30000", "maxTokens", "24")) {
      Case c = INDENTED;
      String uri = "untitled:indented.py";
      String shown = RealModelServer.suggestion(h, uri, c.text(), c.line(), c.column());
      assertTrue(shown.length() > c.typed(), "too short to type into: " + shown);
      String typed = shown.substring(0, c.typed());
      LspServerTest.edit(h, uri, 2, c.line(), c.column(), c.column(), typed);
      String answer = inline(h, uri, c.line(), c.column() + c.typed());
      assertEquals(0, typedAhead(h), "the prompt changes shape: the model is asked");
      String fresh =
          RealModelServer.suggestion(
              h,
              "untitled:indented-fresh.py",
              insert(c.text(), c.line(), c.column(), typed),
              c.line(),
              c.column() + c.typed());
      assertEquals(fresh, answer);
    }
  }

  @Test
  void typingSomethingElseAsksTheModel() throws Exception {
    try (LspHarness h = RealModelServer.start("timeLimitMs", "30000", "maxTokens", "24")) {
      Case c = MID_LINE;
      String uri = "untitled:other.py";
      String shown = RealModelServer.suggestion(h, uri, c.text(), c.line(), c.column());
      String other = shown.startsWith("(") ? "[" : "(";
      LspServerTest.edit(h, uri, 2, c.line(), c.column(), c.column(), other);
      String answer = inline(h, uri, c.line(), c.column() + 1);
      assertEquals(0, typedAhead(h), "typing another character asks the model");
      String fresh =
          RealModelServer.suggestion(
              h,
              "untitled:other-fresh.py",
              insert(c.text(), c.line(), c.column(), other),
              c.line(),
              c.column() + 1);
      assertEquals(fresh, answer);
    }
  }

  private static String inline(LspHarness h, String uri, int line, int column) throws Exception {
    var items = LspServerTest.inline(h, uri, line, column).get(180, TimeUnit.SECONDS);
    return items.isEmpty() ? "" : items.get(0).getInsertText().getLeft();
  }

  private static long typedAhead(LspHarness h) throws Exception {
    Map<?, ?> stats = (Map<?, ?>) h.server.status().get(30, TimeUnit.SECONDS).get("stats");
    return ((Number) stats.get("typedAhead")).longValue();
  }

  private static String insert(String text, int line, int column, String typed) {
    int at = 0;
    for (int i = 0; i < line; i++) {
      at = text.indexOf('\n', at) + 1;
    }
    return text.substring(0, at + column) + typed + text.substring(at + column);
  }
}
