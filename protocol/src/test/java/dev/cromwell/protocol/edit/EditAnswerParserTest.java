package dev.cromwell.protocol.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EditAnswerParserTest {
  static final String FILE =
      "def area(r):\n    return 3.14 * r * r\n\n\ndef perimeter(r):\n    return 2 * 3.14 * r\n";

  @Test
  void fencedRegionIsTheCodeInsideTheFirstBlock() throws EditException {
    var a =
        EditAnswerParser.parse(
            "Here it is:\n```python\ndef area(r):\n    return math.pi * r * r\n```\nDone.");
    assertEquals(new EditAnswer.Region("def area(r):\n    return math.pi * r * r\n"), a);
    assertEquals(
        new EditAnswer.Region("x = 1\n"),
        EditAnswerParser.parse("x = 1\n"),
        "bare answers are the region");
  }

  @Test
  void proseAskedForSearchReplaceBlocksIsRefusedNotTakenAsTheRegion() throws EditException {
    // Qwen2.5-Coder-0.5B's answer to "fix the bug" in the SEARCH/REPLACE format (HumanEval/49,
    // bin/eval --edit-format search-replace): before, it replaced the whole function.
    String prose =
        "SEARCH\nThe bug in the code is in the line `ret = (2 * ret) // p`. The correct line"
            + " should be `ret = (2 * ret) % p`.\n";
    EditException e =
        assertThrows(
            EditException.class, () -> EditAnswerParser.parse(prose, EditFormat.SEARCH_REPLACE));
    assertTrue(e.getMessage().contains("no SEARCH/REPLACE block"), e.getMessage());
    assertTrue(e.getMessage().contains("(it begins \"SEARCH\")"), e.getMessage());
    assertEquals(
        new EditAnswer.Region("x = 1\n"),
        EditAnswerParser.parse("```python\nx = 1\n```\n", EditFormat.SEARCH_REPLACE),
        "a code block is still a rewritten region");
    assertEquals(
        new EditAnswer.Region(prose),
        EditAnswerParser.parse(prose, EditFormat.REWRITE),
        "asked to rewrite in the region format, a bare answer is the region");
  }

  @Test
  void aChatAnswerWithoutACodeBlockIsRefusedNotTakenAsTheRegion() throws EditException {
    // Qwen2.5-Coder-1.5B's answer to "fix the bug" (HumanEval/61, /work/reports/lead45/
    // q15-fix-40-retry): the rewrite parser put this sentence in place of the function.
    String prose =
        "\nThe instruction asks for a change: fix the bug. The rewritten lines are the same as the"
            + " original lines.\n";
    EditException e =
        assertThrows(
            EditException.class, () -> EditAnswerParser.parseChat(prose, EditFormat.REWRITE));
    assertTrue(e.getMessage().contains("without a code block"), e.getMessage());
    assertTrue(
        e.getMessage().contains("(it begins \"The instruction asks for a change: fix the bug. The"),
        e.getMessage());
    assertTrue(e.getMessage().contains("ask again"), e.getMessage());
    // Told to answer in a code block, a chat model that answers with bare lines is not trusted
    // with the user's code either (the catalogue's models fence every answer).
    assertThrows(
        EditException.class, () -> EditAnswerParser.parseChat("x = 1\n", EditFormat.REWRITE));

    assertEquals(
        new EditAnswer.Region("x = 1\n"),
        EditAnswerParser.parseChat("Fixed:\n```python\nx = 1\n```\n", EditFormat.REWRITE),
        "a code block after a sentence is the region");
    assertEquals(
        new EditAnswer.SearchReplace(List.of(new EditAnswer.Block(1, "x = 0\n", "x = 1\n"))),
        EditAnswerParser.parseChat(
            "<<<<<<< SEARCH\nx = 0\n=======\nx = 1\n>>>>>>> REPLACE\n", EditFormat.REWRITE),
        "SEARCH/REPLACE blocks are code, fenced or not");
    assertTrue(
        EditAnswerParser.parseChat("@@ -1 +1 @@\n-x = 0\n+x = 1\n", EditFormat.REWRITE)
            instanceof EditAnswer.Diff,
        "so is a diff");
    assertThrows(
        EditException.class, () -> EditAnswerParser.parseChat("   \n", EditFormat.REWRITE));
    EditException sr =
        assertThrows(
            EditException.class,
            () -> EditAnswerParser.parseChat(prose, EditFormat.SEARCH_REPLACE));
    assertTrue(sr.getMessage().contains("no SEARCH/REPLACE block"), sr.getMessage());
    assertEquals(
        new EditAnswer.Region(prose),
        EditAnswerParser.parse(prose, EditFormat.REWRITE),
        "the region format's answers (base models) are bare by design");
  }

  @Test
  void aFixIsTheCodeOfItsLastBlockAndProseIsNeverCode() throws EditException {
    // The shape of Qwen2.5-Coder-1.5B's answers to "fix the bug" when asked to say what is wrong
    // first (tried, not kept): prose quoting the buggy line in a block of its own, then the
    // rewrite. Read as a plain rewrite, the quoted line would replace the whole selection.
    String fixed = "def area(r):\n    return math.pi * r * r\n";
    String answer =
        "The function uses 3.14 instead of math.pi:\n```python\n    return 3.14 * r * r\n```\n"
            + "The corrected function:\n```python\n"
            + fixed
            + "```\n";
    assertEquals(
        new EditAnswer.Region(fixed), EditAnswerParser.parse(answer, EditFormat.FIX_REWRITE));
    assertEquals(
        new EditAnswer.Region(fixed),
        EditAnswerParser.parse(
            "It should use math.pi.\n```python\n" + fixed + "```", EditFormat.FIX_REWRITE),
        "a closing fence at the very end");
    // Reasoning alone, with no block: refused, never put in place of the function.
    String prose = "The code is correct; the rewritten lines are the same as the original lines.";
    EditException e =
        assertThrows(
            EditException.class, () -> EditAnswerParser.parse(prose, EditFormat.FIX_REWRITE));
    assertTrue(e.getMessage().contains("no code block"), e.getMessage());
    assertTrue(e.getMessage().contains("(it begins \"The code is correct"), e.getMessage());
    e =
        assertThrows(
            EditException.class, () -> EditAnswerParser.parseChat(prose, EditFormat.FIX_REWRITE));
    assertTrue(e.getMessage().contains("without a code block"), e.getMessage());
    // A rewrite cut off after a quoted line: refused, not the quoted line.
    e =
        assertThrows(
            EditException.class,
            () ->
                EditAnswerParser.parse(
                    "Wrong constant:\n```\n3.14\n```\nFixed:\n```python\ndef area(r):\n",
                    EditFormat.FIX_REWRITE));
    assertTrue(e.getMessage().contains("not closed"), e.getMessage());
  }

  @Test
  void aFixIsTheBlockMostLikeTheSelectionThatChangesIt() throws EditException {
    String buggy = "def area(r):\n    return 3.14 * r * r\n";
    String fixed = "def area(r):\n    return math.pi * r * r\n";
    // A usage example after the rewrite: taking the last block would put the example in place of
    // the function.
    assertEquals(
        new EditAnswer.Region(fixed),
        EditAnswerParser.parseChat(
            "```python\n" + fixed + "```\nFor example:\n```python\nprint(area(2))\n```\n",
            EditFormat.FIX_REWRITE,
            buggy));
    // The whole buggy function quoted first, then the rewrite.
    assertEquals(
        new EditAnswer.Region(fixed),
        EditAnswerParser.parseChat(
            "This is wrong:\n```python\n" + buggy + "```\nFixed:\n```python\n" + fixed + "```\n",
            EditFormat.FIX_REWRITE,
            buggy));
    // The rewrite, then the changed line alone: the line is less like the selection.
    assertEquals(
        new EditAnswer.Region(fixed),
        EditAnswerParser.parseChat(
            "```python\n"
                + fixed
                + "```\nThe change:\n```python\n    return math.pi * r * r\n```\n",
            EditFormat.FIX_REWRITE,
            buggy));
    // A one-line selection: the quoted buggy line is a copy, the rewritten line shares its words.
    String line = "    return 3.14 * r * r\n";
    assertEquals(
        new EditAnswer.Region("    return math.pi * r * r\n"),
        EditAnswerParser.parseChat(
            "It uses 3.14:\n```python\n"
                + line
                + "```\nThe corrected line:\n```python\n    return math.pi * r * r\n```\n",
            EditFormat.FIX_REWRITE,
            line));
    // The function copied back unchanged, then an example: the copy (no edit), never the example.
    assertEquals(
        new EditAnswer.Region(buggy),
        EditAnswerParser.parseChat(
            "```python\n" + buggy + "```\n```python\nprint(area(2))\n```\n",
            EditFormat.FIX_REWRITE,
            buggy));
    // A trailing "what changed" diff block without hunks is passed over, not the answer refused.
    assertEquals(
        new EditAnswer.Region(fixed),
        EditAnswerParser.parseChat(
            "```python\n" + fixed + "```\n```diff\n- 3.14\n+ math.pi\n```\n",
            EditFormat.FIX_REWRITE,
            buggy));
    // A last block cut off is still refused, even after a good rewrite.
    EditException e =
        assertThrows(
            EditException.class,
            () ->
                EditAnswerParser.parseChat(
                    "```python\n" + fixed + "```\n```python\nprint(area(",
                    EditFormat.FIX_REWRITE,
                    buggy));
    assertTrue(e.getMessage().contains("not closed"), e.getMessage());
  }

  @Test
  void malformedAnswersAreRefusedWithAReason() {
    assertTrue(
        assertThrows(EditException.class, () -> EditAnswerParser.parse("```python\nx = 1\n"))
            .getMessage()
            .contains("not closed"));
    assertTrue(
        assertThrows(EditException.class, () -> EditAnswerParser.parse("   \n"))
            .getMessage()
            .contains("empty"));
    assertTrue(
        assertThrows(EditException.class, () -> EditAnswerParser.parse("<<<<<<< SEARCH\nx\n"))
            .getMessage()
            .contains("block 1"));
    assertTrue(
        assertThrows(
                EditException.class,
                () -> EditAnswerParser.parse("<<<<<<< SEARCH\nx\n=======\ny\n"))
            .getMessage()
            .contains(">>>>>>> REPLACE"));
    assertTrue(
        assertThrows(
                EditException.class,
                () -> EditAnswerParser.parse("<<<<<<< SEARCH\n=======\ny\n>>>>>>> REPLACE\n"))
            .getMessage()
            .contains("empty SEARCH"));
    assertTrue(
        assertThrows(
                EditException.class, () -> EditAnswerParser.parse("@@ -1,2 +1,2 @@\n+only added\n"))
            .getMessage()
            .contains("anchor"));
  }

  @Test
  void searchReplaceBlocksApplyInOrderExactlyOrIndentationTolerant() throws EditException {
    var a =
        (EditAnswer.SearchReplace)
            EditAnswerParser.parse(
                "<<<<<<< SEARCH\n    return 3.14 * r * r\n=======\n    return math.pi * r * r\n>>>>>>> REPLACE\n"
                    + "<<<<<<< SEARCH\ndef perimeter(r):\n=======\ndef circumference(r):\n>>>>>>> REPLACE\n");
    assertEquals(2, a.blocks().size());
    String result = Anchoring.apply(FILE, a.blocks());
    assertTrue(result.contains("return math.pi * r * r\n"));
    assertTrue(result.contains("def circumference(r):\n    return 2 * 3.14 * r\n"));
    // Wrong indentation in the answer: matched ignoring it, replacement shifted to the file's.
    var shifted =
        (EditAnswer.SearchReplace)
            EditAnswerParser.parse(
                "<<<<<<< SEARCH\nreturn 2 * 3.14 * r\n=======\nreturn 2 * math.pi * r\n>>>>>>> REPLACE\n");
    assertTrue(Anchoring.apply(FILE, shifted.blocks()).contains("\n    return 2 * math.pi * r\n"));
  }

  @Test
  void missingAndAmbiguousSearchTextIsRefusedNamingTheBlockAndTheClosestText()
      throws EditException {
    var missing =
        (EditAnswer.SearchReplace)
            EditAnswerParser.parse(
                "<<<<<<< SEARCH\n    return 3.1416 * r * r\n=======\nx\n>>>>>>> REPLACE\n");
    EditException e =
        assertThrows(EditException.class, () -> Anchoring.apply(FILE, missing.blocks()));
    assertTrue(
        e.getMessage().contains("block 1") && e.getMessage().contains("return 3.14 * r * r"),
        e.getMessage());
    var ambiguous =
        (EditAnswer.SearchReplace)
            EditAnswerParser.parse("<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n");
    assertTrue(
        assertThrows(
                EditException.class,
                () -> Anchoring.apply("x = 1\ny = 2\nx = 1\n", ambiguous.blocks()))
            .getMessage()
            .contains("more than one"));
  }

  @Test
  void unifiedDiffHunksAnchorOnContextAndRemovedLines() throws EditException {
    var d =
        (EditAnswer.Diff)
            EditAnswerParser.parse(
                "```diff\n--- a/x.py\n+++ b/x.py\n@@ -4,3 +4,3 @@\n \n def perimeter(r):\n-    return 2 * 3.14 * r\n+    return 2 * math.pi * r\n```\n");
    assertEquals(1, d.hunks().size());
    assertEquals(FILE.replace("2 * 3.14 * r", "2 * math.pi * r"), Anchoring.apply(FILE, d.hunks()));
  }

  @Test
  void crlfTabsAndUnicodeSurviveAnchoring() throws EditException {
    String crlf = "a = 1\r\n\tb = \"héllo 😀\"\r\nc = 3\r\n";
    var block = new EditAnswer.Block(1, "\tb = \"héllo 😀\"\n", "\tb = \"wörld 😀\"\n");
    assertEquals("a = 1\r\n\tb = \"wörld 😀\"\r\nc = 3\r\n", Anchoring.apply(crlf, List.of(block)));
    // Tabs in the file, spaces in the answer: tolerant match keeps the file's tab.
    var spaces = new EditAnswer.Block(1, "    b = \"héllo 😀\"\n", "    b = 2\n");
    assertEquals("a = 1\r\n\tb = 2\r\nc = 3\r\n", Anchoring.apply(crlf, List.of(spaces)));
  }

  @Test
  void promptsFollowTheMissionsRegionFormatAndChatFamilies() {
    String p = EditPrompts.region("src/x.py", "x = 1\n", 1, 1, "rename x to y");
    assertEquals(
        "<FILE=src/x.py>\nx = 1\n</FILE>\n<EDIT_START=src/x.py:1:1>\nrename x to y\n<EDIT_END>\n",
        p);
    assertEquals(
        ChatTemplate.CHATML,
        ChatTemplate.detect("{% for m in messages %}<|im_start|>{{ m.role }}..."));
    assertEquals(
        ChatTemplate.LLAMA3, ChatTemplate.detect("<|start_header_id|>{{ role }}<|end_header_id|>"));
    assertTrue(ChatTemplate.CHATML.render("sys", "hi").endsWith("<|im_start|>assistant\n"));
  }

  @Test
  void aFileMixingLineEndingsKeepsThemOutsideTheEditedLines() throws EditException {
    // Found by EditFuzzTest.anchorBlock: every LF of a mostly-CRLF file was turned into CR LF.
    // The edited lines take the file's line ending (CR LF as soon as it has one).
    String mixed = "a\r\nb\nc\r\n  d\n";
    assertEquals(
        "a\r\nB\nc\r\n  d\n",
        Anchoring.apply(mixed, List.of(new EditAnswer.Block(1, "b", "B"))),
        "exact match");
    assertEquals(
        "a\r\nb\nc\r\n  D\r\n",
        Anchoring.apply(mixed, List.of(new EditAnswer.Block(1, "d  \n", "D\n"))),
        "whitespace-tolerant match");
  }

  static final String PRIMES =
      """
      def is_prime(n):
          if n < 2:
              return False
          for k in range(2, n):
              if n % k == 0:
                  return False
          return False
      """;

  @Test
  void aFixAnswerThatWouldDeleteMostOfTheSelectionIsRefused() throws EditException {
    for (String answer :
        List.of(
            "```python\nfor k in range(2, n):\n    if n % k == 0:\n```",
            "```python\nprint(is_prime(7))\n```",
            // The corrected line alone: which line it replaces (or whether it is new) is a guess.
            "```python\nif n <= 1:\n```",
            "```python\nreturn True\n```")) {
      EditException e =
          assertThrows(
              EditException.class,
              () -> EditAnswerParser.parseChat(answer, EditFormat.FIX_REWRITE, PRIMES));
      assertTrue(e.getMessage().contains("of code for the 7 selected"), e.getMessage());
    }
    // A short selection, or an answer with at least half of its lines, is taken as it is.
    String shorter =
        "```python\ndef is_prime(n):\n    return n > 1 and all(n % k for k in range(2, n))\n```";
    assertEquals(
        new EditAnswer.Region(
            "def is_prime(n):\n    return n > 1 and all(n % k for k in range(2, n))\n"),
        EditAnswerParser.parseChat(shorter, EditFormat.FIX_REWRITE, "def f(n):\n    return n\n"));
  }
}
