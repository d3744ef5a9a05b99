package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.context.PlanPiece;
import dev.cromwell.context.PromptPlan;
import dev.cromwell.protocol.FimFormat;
import dev.cromwell.protocol.TextDocument;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptAssemblerTest {
  private static OpenDocument doc(String languageId, String text) {
    return new OpenDocument(
        "file:///w/a.x", Path.of("/w/a.x"), languageId, 1, new TextDocument(text));
  }

  private static PromptPlan plan(String prefix, String suffix) {
    return new PromptPlan(
        "src/a.x",
        1,
        2,
        512,
        List.of(
            new PlanPiece(
                PlanPiece.Kind.SNIPPET, "lib/z.x", 4, 4, "// lib/z.x\nzed()\n", 3, .5, ""),
            new PlanPiece(PlanPiece.Kind.FILE, "lib/b.x", 0, 0, "bee()\n", 2, .7, ""),
            new PlanPiece(PlanPiece.Kind.PREFIX, "src/a.x", 0, 1, prefix, 2, 1, ""),
            new PlanPiece(PlanPiece.Kind.SUFFIX, "src/a.x", 1, 1, suffix, 1, 1, "")),
        "approximate");
  }

  private static String text(List<FimFormat.Part> parts) {
    StringBuilder sb = new StringBuilder();
    parts.forEach(
        p ->
            sb.append(
                switch (p) {
                  case FimFormat.Part.Marker m -> m.token();
                  case FimFormat.Part.Text t -> t.text();
                }));
    return sb.toString();
  }

  @Test
  void snippetsAreCommentedInTheLanguageOfTheEditorsLanguageId() {
    String source = "x = 1\ny = ";
    PromptAssembler.Cursor cursor = PromptAssembler.Cursor.of(new TextDocument(source), 99);
    assertEquals(new PromptAssembler.Cursor(source.length(), 1, 4), cursor);
    for (var expected :
        List.of(List.of("ruby", "#"), List.of("lua", "--"), List.of("java", "//"))) {
      String prompt =
          text(
              PromptAssembler.assemble(
                      doc(expected.get(0), source),
                      cursor,
                      plan("x = 1\ny = ", ""),
                      512,
                      FimFormat.PREFIX_ONLY)
                  .parts());
      String c = expected.get(1);
      // Sorted by path: lib/b.x before lib/z.x, and the index's header line is not repeated.
      assertEquals(
          c
              + " Path: lib/b.x\n"
              + c
              + " bee()\n"
              + c
              + " Path: lib/z.x\n"
              + c
              + " zed()\n"
              + "x = 1\ny = ",
          prompt);
    }
  }

  @Test
  void withoutAPlanThePrefixStartsOnASixteenLineGrid() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      sb.append("line").append(i).append('\n');
    }
    String source = sb.toString();
    int offset = source.indexOf("line37") + 4;
    PromptAssembler.Prompt p =
        PromptAssembler.assemble(
            doc("python", source),
            PromptAssembler.Cursor.of(new TextDocument(source), offset),
            null,
            240, // 20 lines back from line 37 is line 17; the grid moves that to 32
            FimFormat.PREFIX_ONLY);
    assertEquals(source.substring(source.indexOf("line32"), offset), text(p.parts()));
    assertEquals("line", p.context().linePrefix());
    assertEquals("37", p.context().lineSuffix());
    assertTrue(p.context().after().startsWith("37\nline38"));
  }

  @Test
  void theTypedLineSeedsTheMiddleSoThePromptBeforeItStaysTheSameWhileTyping() {
    String before = "def f(n):\n    if n";
    String after = ":\n        return 1\n";
    List<FimFormat.Part> previous = null;
    for (String typed : List.of("", " >", " > 1", " > 10")) {
      String source = before + typed + after;
      int offset = before.length() + typed.length();
      PromptAssembler.Prompt p =
          PromptAssembler.assemble(
              doc("python", source),
              PromptAssembler.Cursor.of(new TextDocument(source), offset),
              plan(before + typed, after),
              512,
              FimFormat.QWEN);
      List<FimFormat.Part> parts = p.parts();
      int cursor = FimFormat.QWEN.cursorPart(parts);
      assertEquals(new FimFormat.Part.Text("    if n" + typed), parts.get(cursor));
      assertEquals(new FimFormat.Part.Marker("<|fim_middle|>"), parts.get(cursor - 1));
      assertTrue(
          text(parts).contains("<|fim_prefix|>def f(n):\n<|fim_suffix|>" + after), text(parts));
      if (previous != null) {
        assertEquals(previous.subList(0, cursor), parts.subList(0, cursor));
      }
      previous = parts;
    }
  }

  @Test
  void anIndentationOnlyLineEndsThePromptAtTheLineStartWithNoSeed() {
    String source = "def f(n):\n    \n    return n\n";
    int offset = source.indexOf("    \n") + 4;
    PromptAssembler.Prompt p =
        PromptAssembler.assemble(
            doc("python", source),
            PromptAssembler.Cursor.of(new TextDocument(source), offset),
            plan(source.substring(0, offset), source.substring(offset)),
            512,
            FimFormat.QWEN);
    String text = text(p.parts());
    assertTrue(text.endsWith("def f(n):\n<|fim_suffix|>\n    return n\n<|fim_middle|>"), text);
  }
}
