package dev.cromwell.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FimFormatCursorTest {
  static final List<FimFormat.Snippet> SNIPPETS = List.of(new FimFormat.Snippet("b.py", "x = 1\n"));

  @Test
  void theCursorPartIsThePrefixTextInEveryFormatThatEndsThere() {
    for (FimFormat f :
        List.of(FimFormat.QWEN, FimFormat.STARCODER, FimFormat.DEEPSEEK, FimFormat.PREFIX_ONLY)) {
      List<FimFormat.Part> parts = f.render("a.py", "if n", "\nx", SNIPPETS, "#");
      int i = f.cursorPart(parts);
      assertEquals(new FimFormat.Part.Text("if n"), parts.get(i), f.name());
    }
    // CodeLlama writes a space after the prefix: nothing ends at the cursor.
    List<FimFormat.Part> llama = FimFormat.CODELLAMA.render("a.py", "if n", "", SNIPPETS, "#");
    assertEquals(-1, FimFormat.CODELLAMA.cursorPart(llama));
    // An empty prefix leaves no text to back up.
    List<FimFormat.Part> empty = FimFormat.QWEN.render("a.py", "", "x", List.of(), "#");
    assertEquals(-1, FimFormat.QWEN.cursorPart(empty));
  }

  @Test
  void aSeededMiddleIsTheCursorPartAndLeavesTheStartOfThePromptAlone() {
    for (FimFormat f : List.of(FimFormat.QWEN, FimFormat.STARCODER, FimFormat.DEEPSEEK)) {
      assertTrue(f.seedsMiddle(), f.name());
      List<FimFormat.Part> one = f.render("a.py", "def f(n):\n", "\nx", SNIPPETS, "#", "    if");
      List<FimFormat.Part> two =
          f.render("a.py", "def f(n):\n", "\nx", SNIPPETS, "#", "    if n > ");
      int i = f.cursorPart(one);
      assertEquals(one.size() - 1, i, f.name());
      assertEquals(new FimFormat.Part.Text("    if"), one.get(i), f.name());
      assertEquals(new FimFormat.Part.Text("    if n > "), two.get(f.cursorPart(two)), f.name());
      // Everything before the seed is the same while the line is typed: the cache keeps it.
      assertEquals(one.subList(0, i), two.subList(0, i), f.name());
      // The seed follows the middle marker, and the whole text is the plain FIM prompt's order.
      String text = FimFormat.toText(one);
      assertTrue(text.endsWith("    if"), text);
      assertEquals(f.render("a.py", "def f(n):\n", "\nx", SNIPPETS, "#"), one.subList(0, i));
    }
  }

  @Test
  void formatsThatCannotSeedTheMiddleGetTheLineInThePrefix() {
    for (FimFormat f : List.of(FimFormat.CODELLAMA, FimFormat.PREFIX_ONLY)) {
      assertFalse(f.seedsMiddle(), f.name());
      assertEquals(
          f.render("a.py", "def f(n):\n    if", "\nx", SNIPPETS, "#"),
          f.render("a.py", "def f(n):\n", "\nx", SNIPPETS, "#", "    if"),
          f.name());
    }
  }
}
