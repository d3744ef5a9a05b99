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
  void theTypedLinesSeedTheMiddleSoThePromptBeforeItStaysTheSameWhileTyping() {
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
              FimFormat.QWEN,
              true);
      List<FimFormat.Part> parts = p.parts();
      int cursor = FimFormat.QWEN.cursorPart(parts);
      // Line 1 is anchored at line 0: both lines are the middle's start, the prefix is empty.
      assertEquals(new FimFormat.Part.Text(before + typed), parts.get(cursor));
      assertEquals(new FimFormat.Part.Marker("<|fim_middle|>"), parts.get(cursor - 1));
      assertTrue(
          text(parts).contains("<|fim_prefix|><|fim_suffix|>" + after + "<|fim_middle|>"),
          text(parts));
      if (previous != null) {
        assertEquals(previous.subList(0, cursor), parts.subList(0, cursor));
      }
      previous = parts;
    }
  }

  /** Lines "l0" .. "l{n-1}", each "lN = N". */
  private static String numbered(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("l").append(i).append(" = ").append(i).append('\n');
    }
    return sb.toString();
  }

  /** The parts up to the middle marker (what the KV cache keeps while the seed grows). */
  private static List<FimFormat.Part> beforeSeed(List<FimFormat.Part> parts) {
    return parts.subList(0, FimFormat.QWEN.cursorPart(parts));
  }

  private static PromptAssembler.Prompt typedAt(String source, int offset, boolean withPlan) {
    return PromptAssembler.assemble(
        doc("python", source),
        PromptAssembler.Cursor.of(new TextDocument(source), offset),
        withPlan ? plan(source.substring(0, offset), source.substring(offset)) : null,
        96, // without a plan: an 8-line window
        FimFormat.QWEN,
        true);
  }

  @Test
  void pressingEnterOnlyAppendsToTheSeedUntilTheAnchorMoves() {
    String head = numbered(18); // lines 0..17; the user types lines 18, 19 and then 32
    String tail = "print(l0)\n";
    for (boolean withPlan : List.of(true, false)) {
      String typed = "x = 1";
      String source = head + typed + tail;
      PromptAssembler.Prompt onLine18 = typedAt(source, head.length() + typed.length(), withPlan);
      // Enter: line 18 is whole, the cursor at the start of line 19, the text after it the same.
      String typed2 = typed + "\ny";
      source = head + typed2 + tail;
      PromptAssembler.Prompt onLine19 = typedAt(source, head.length() + typed2.length(), withPlan);
      assertEquals(
          beforeSeed(onLine18.parts()), beforeSeed(onLine19.parts()), text(onLine19.parts()));
      String seed19 = ((FimFormat.Part.Text) onLine19.parts().getLast()).text();
      // The anchor is line 16: the seed is lines 16..18 whole and the typed "y".
      assertEquals("l16 = 16\nl17 = 17\nx = 1\ny", seed19);
      assertTrue(text(onLine19.parts()).contains("<|fim_suffix|>" + tail), text(onLine19.parts()));
      if (!withPlan) {
        // The 8-line window ends at the anchor: lines 8..15 are the prefix.
        assertTrue(
            text(onLine19.parts()).startsWith("<|fim_prefix|>l8 = 8\n")
                && text(onLine19.parts()).contains("l15 = 15\n<|fim_suffix|>"),
            text(onLine19.parts()));
      }
      // On line 32 the anchor has moved there: the seed is that line alone.
      String far = numbered(32) + "z";
      PromptAssembler.Prompt onLine32 = typedAt(far + tail, far.length(), withPlan);
      assertEquals("z", ((FimFormat.Part.Text) onLine32.parts().getLast()).text());
    }
  }

  @Test
  void enterInTheMiddleOfALineKeepsTheSuffixAndThePromptBeforeTheSeed() {
    String head = numbered(17);
    String tail = "\nprint(l0)\n";
    String line = "y = max(a, b)";
    int split = line.indexOf("b)");
    String source = head + line + tail;
    PromptAssembler.Prompt before = typedAt(source, head.length() + split, true);
    String broken = line.substring(0, split) + "\n" + line.substring(split);
    PromptAssembler.Prompt after = typedAt(head + broken + tail, head.length() + split + 1, true);
    assertEquals(beforeSeed(before.parts()), beforeSeed(after.parts()));
    assertEquals("l16 = 16\ny = max(a, \n", ((FimFormat.Part.Text) after.parts().getLast()).text());
    assertTrue(text(after.parts()).contains("<|fim_suffix|>b)" + tail), text(after.parts()));
  }

  @Test
  void theSeedGivesWayToTheNearestLineThatFitsWhenLinesAreLong() {
    String longLine = "x".repeat(PromptAssembler.SEED_MAX_CHARS / 3) + "\n";
    String prefix = "a\n" + longLine + longLine + longLine + "y";
    // Three whole lines asked for: two long ones fit, the third would pass the cap.
    assertEquals(longLine + longLine + "y", PromptAssembler.seed(prefix, 3));
    assertEquals("y", PromptAssembler.seed(prefix, 0));
    // More lines asked for than the prefix has: all of it.
    assertEquals("a\nb\ny", PromptAssembler.seed("a\nb\ny", 9));
  }

  @Test
  void anIndentationOnlyLineEndsTheSeedAtTheLineStart() {
    String source = "def f(n):\n    \n    return n\n";
    int offset = source.indexOf("    \n") + 4;
    PromptAssembler.Prompt p =
        PromptAssembler.assemble(
            doc("python", source),
            PromptAssembler.Cursor.of(new TextDocument(source), offset),
            plan(source.substring(0, offset), source.substring(offset)),
            512,
            FimFormat.QWEN,
            true);
    String text = text(p.parts());
    assertTrue(text.endsWith("<|fim_suffix|>\n    return n\n<|fim_middle|>def f(n):\n"), text);
  }

  @Test
  void withoutAPlanBlankLinesAfterTheCursorDoNotMakeANewLineAPlainContinuation() {
    // A new line typed before two blank lines and more code: the near prompt's one line of suffix
    // would be blank, and the indentation-only line a continuation unlike its neighbours' FIM.
    String head = numbered(18) + "def g():\n    ";
    String source = head + "\n\n\ndef h():\n    pass\n";
    PromptAssembler.Prompt p = typedAt(source, head.length(), false);
    String text = text(p.parts());
    assertTrue(text.contains("<|fim_suffix|>\n\n\ndef h():<|fim_middle|>"), text);
    // At the end of the file it still is one (TypedIndent.continuation).
    String end = numbered(18) + "def g():\n    ";
    assertTrue(!text(typedAt(end + "\n\n", end.length(), false).parts()).contains("<|fim_"));
  }

  @Test
  void atTheEndOfAFileOnlyTheCursorLineSeedsTheMiddle() {
    // Nothing after the cursor: the indentation-only line is a plain continuation anyway, so the
    // prompt is not anchored (a long seed would make each switch of shape compute more).
    String head = numbered(18) + "def g(n):\n";
    for (boolean withPlan : List.of(true, false)) {
      String typed = "    if n";
      List<FimFormat.Part> parts =
          typedAt(head + typed, head.length() + typed.length(), withPlan).parts();
      assertEquals(new FimFormat.Part.Text(typed), parts.getLast(), text(parts));
    }
    assertEquals(16, PromptAssembler.anchor(true, "x", 17));
    assertEquals(17, PromptAssembler.anchor(true, " \n ", 17));
    assertEquals(17, PromptAssembler.anchor(false, "x", 17));
  }
}
