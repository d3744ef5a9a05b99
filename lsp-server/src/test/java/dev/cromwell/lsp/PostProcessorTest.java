package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PostProcessorTest {
  static CompletionContext at(String document, int cursor) {
    int lineStart = document.lastIndexOf('\n', cursor - 1) + 1;
    int lineEnd = document.indexOf('\n', cursor);
    lineEnd = lineEnd < 0 ? document.length() : lineEnd;
    return new CompletionContext(
        document.substring(lineStart, cursor),
        document.substring(cursor, lineEnd),
        document.substring(0, cursor),
        document.substring(cursor),
        CompletionContext.detectIndentUnit(document));
  }

  @Test
  void overlapWithTheTextAfterTheCursorIsRemoved() {
    String doc = "result = compute(x, y) + offset\n";
    CompletionContext c = at(doc, 9); // before "compute"
    Optional<Suggestion> s = PostProcessor.process("total(x) + compute(x, y) + offset", c);
    assertEquals("total(x) + ", s.orElseThrow().text());
  }

  @Test
  void singleOrMultiLineFollowsTheCursorContext() {
    assertFalse(at("x = foo(bar)\n", 8).multiLine(), "text after the cursor");
    assertFalse(at("x = foo()\n", 8).multiLine(), "inside parentheses");
    assertTrue(at("def f():\n", 8).multiLine(), "after a block opener");
    assertTrue(at("def f():\n    \n", 13).multiLine(), "on an empty indented line");
    assertTrue(at("if (x) {}\n", 8).multiLine(), "between braces");
  }

  @Test
  void indentationFollowsTheDocumentsStyle() {
    assertEquals("if x:\n\tpass", PostProcessor.fixIndentation("if x:\n    pass", "\t"));
    assertEquals("if x:\n  pass", PostProcessor.fixIndentation("if x:\n\tpass", "  "));
    assertEquals("\t", CompletionContext.detectIndentUnit("a\n\tb\n\t\tc\n"));
    assertEquals("  ", CompletionContext.detectIndentUnit("a\n  b\n    c\n"));
  }

  @Test
  void repetitionsOfThePreviousLineAreDropped() {
    String doc = "    total += x\n    ";
    CompletionContext c = at(doc, doc.length());
    assertTrue(PostProcessor.process("total += x\n    total += x", c).isEmpty());
    assertTrue(PostProcessor.process("return total", c).isPresent());
  }

  @Test
  void trailingBlankLinesGo() {
    assertEquals("a\n  b", PostProcessor.stripTrailingBlankLines("a\n  b\n\n   \n"));
  }
}
