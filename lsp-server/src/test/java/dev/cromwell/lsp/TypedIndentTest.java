package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.engine.generate.GenerationRequest.TextStop;
import org.junit.jupiter.api.Test;

/** Matching the model's indentation against the indentation the user typed. */
class TypedIndentTest {
  private static CompletionContext at(String linePrefix, String lineSuffix) {
    return new CompletionContext(linePrefix, lineSuffix, "x\n" + linePrefix, lineSuffix, "    ");
  }

  @Test
  void onlyAnIndentationOnlyLineIsLeftOutOfThePrompt() {
    assertEquals("    ", TypedIndent.of(at("    ", "")));
    assertEquals("", TypedIndent.of(at("", "")));
    assertEquals("", TypedIndent.of(at("    x", "")));
    assertEquals("", TypedIndent.of(at("    ", "return x")));
    assertEquals("def f():\n", TypedIndent.promptPrefix("def f():\n    ", "    "));
    assertEquals("def f():\n", TypedIndent.promptPrefix("def f():\n", ""));
  }

  @Test
  void theAnswerGoesOnAfterTheTypedIndentation() {
    // The model wrote the indentation the user typed: it is dropped from the first line only.
    assertEquals(
        "for v in xs:\n        n += v\n    return n",
        TypedIndent.align("    for v in xs:\n        n += v\n    return n", "    "));
    // Blank lines before the code are dropped.
    assertEquals("return 1", TypedIndent.align("\n    \n    return 1", "    "));
    // Another indentation than the typed one: the block moves to the cursor, keeping its shape.
    assertEquals(
        "for v in xs:\n            n += v",
        TypedIndent.align("for v in xs:\n    n += v", "        "));
    assertEquals("if a:\n        b", TypedIndent.align("        if a:\n            b", "    "));
    assertEquals("", TypedIndent.align("  \n ", "    "));
  }

  @Test
  void stopsJudgeTheTextFromItsFirstVisibleChar() {
    TextStop firstNewline = text -> text.indexOf('\n');
    TextStop s = TypedIndent.stop(firstNewline);
    assertEquals(-1, s.cut("    \n   "));
    assertEquals(10, s.cut("\n    a = 1\n    b"));
    assertEquals(-1, s.cut("    a = 1"));
  }
}
