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
  void theSuffixCanStartAtTheLineAfterTheCursors() {
    assertEquals("    return n\n", TypedIndent.suffixAfterLine("\n    return n\n"));
    assertEquals("    return n", TypedIndent.suffixAfterLine("  \r\n    return n"));
    // Text after the cursor on its own line, or no line end: the suffix stays as it is.
    assertEquals("x\n    return n", TypedIndent.suffixAfterLine("x\n    return n"));
    assertEquals("", TypedIndent.suffixAfterLine(""));
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
    TextStop s = TypedIndent.stop(firstNewline, "    ");
    assertEquals(-1, s.cut("    \n   "));
    assertEquals(10, s.cut("\n    a = 1\n    b"));
    assertEquals(-1, s.cut("    a = 1"));
  }

  @Test
  void stopsSeeTheLinesWhereTheEditorPutsThem() {
    // The model indented its first line 4 where the user typed 8: its block moves by 4.
    java.util.List<String> seen = new java.util.ArrayList<>();
    TextStop atReturn =
        text -> {
          seen.add(text);
          return text.indexOf("\n        return");
        };
    TextStop s = TypedIndent.stop(atReturn, "        ");
    assertEquals(10, s.cut("    x += 1\n    return x\n"));
    assertEquals("x += 1\n        return x\n", seen.get(0));
    // Offsets in the moved text map back onto the model's: a line end, a char after the moved
    // indentation, a char inside it.
    String written = "f(a,\n  b))\nc";
    assertEquals(4, TypedIndent.writtenOffset(written, "", "    ", 4));
    assertEquals(9, TypedIndent.writtenOffset(written, "", "    ", 13));
    assertEquals(10, TypedIndent.writtenOffset(written, "", "    ", 14));
    assertEquals(5, TypedIndent.writtenOffset(written, "", "    ", 7));
    assertEquals(11, TypedIndent.writtenOffset(written, "", "    ", 19));
  }
}
