package dev.cromwell.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
