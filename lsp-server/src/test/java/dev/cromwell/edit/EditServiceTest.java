package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.protocol.edit.EditException;
import dev.cromwell.protocol.edit.EditPrompts;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class EditServiceTest {
  /** Answers with fixed text; records the prompt. */
  static final class FixedAnswer implements EditModel {
    final String answer;
    final String template;
    String prompt;

    FixedAnswer(String answer, String template) {
      this.answer = answer;
      this.template = template;
    }

    @Override
    public String generate(
        String prompt,
        int maxTokens,
        List<String> stops,
        BooleanSupplier cancelled,
        java.util.function.Predicate<String> enough) {
      this.prompt = prompt;
      return answer;
    }

    @Override
    public String chatTemplate() {
      return template;
    }

    @Override
    public int countTokens(String text) {
      return text.length() / 3 + 1;
    }
  }

  static final String FILE = "import math\n\ndef area(r):\n    return 3.14 * r * r\n";

  @Test
  void aFileWhoseLinesEndInCrlfKeepsThemOnEveryLineTheAnswerBrings() throws EditException {
    String crlf = FILE.replace("\n", "\r\n");
    // A region answer, and a chat answer (the model writes \n lines either way).
    assertEquals(
        crlf.replace("3.14", "math.pi"),
        new EditService(new FixedAnswer("    return math.pi * r * r\n", null))
            .edit(new EditService.Request("geo.py", crlf, 4, 4, "use math.pi"), () -> false));
    assertEquals(
        crlf.replace("3.14", "math.pi"),
        new EditService(
                new FixedAnswer(
                    "```python\ndef area(r):\n    return math.pi * r * r\n```\n",
                    dev.cromwell.chat.ChatResources.read("smollm2-135m-instruct.jinja")))
            .edit(new EditService.Request("geo.py", crlf, 3, 4, "use math.pi"), () -> false));
    // A file that mixes the two: no line outside the edit changes its end.
    String mixed = "import math\r\n\ndef area(r):\r\n    return 3.14 * r * r\n";
    String out =
        new EditService(new FixedAnswer("    return math.pi * r * r\n", null))
            .edit(new EditService.Request("geo.py", mixed, 4, 4, "use math.pi"), () -> false);
    assertEquals(mixed.replace("3.14", "math.pi"), out);
  }

  @Test
  void onlyAFileWhoseEveryLineEndIsCrlfCountsAsOne() {
    assertTrue(EditService.allLinesEndInCrlf("a\r\nb\r\n"));
    assertTrue(EditService.allLinesEndInCrlf("a\r\nb"));
    assertFalse(EditService.allLinesEndInCrlf("a\r\nb\n"));
    assertFalse(EditService.allLinesEndInCrlf("\na\r\n"));
    assertFalse(EditService.allLinesEndInCrlf("a"));
    assertFalse(EditService.allLinesEndInCrlf(""));
  }

  @Test
  void aRegionAnswerReplacesExactlyTheSelectedLines() throws EditException {
    FixedAnswer model = new FixedAnswer("    return math.pi * r * r\n", null);
    String out =
        new EditService(model)
            .edit(new EditService.Request("geo.py", FILE, 4, 4, "use math.pi"), () -> false);
    assertEquals("import math\n\ndef area(r):\n    return math.pi * r * r\n", out);
    assertTrue(model.prompt.startsWith("<FILE=geo.py>\n"), model.prompt);
    assertTrue(
        model.prompt.contains("<EDIT_START=geo.py:4:4>\nuse math.pi\n<EDIT_END>"), model.prompt);
  }

  @Test
  void instructModelsGetTheirChatTemplateAndMayAnswerWithBlocks() throws EditException {
    FixedAnswer model =
        new FixedAnswer(
            "<<<<<<< SEARCH\n    return 3.14 * r * r\n=======\n    return math.pi * r * r\n>>>>>>> REPLACE\n",
            dev.cromwell.chat.ChatResources.read("smollm2-135m-instruct.jinja"));
    String out =
        new EditService(model)
            .edit(new EditService.Request("geo.py", FILE, 3, 4, "use math.pi"), () -> false);
    assertEquals(FILE.replace("3.14", "math.pi"), out);
    // SmolLM2's own template, rendered through Jinja: the system turn, then the user's.
    assertTrue(
        model.prompt.startsWith("<|im_start|>system\n" + EditPrompts.SYSTEM + "<|im_end|>\n"),
        model.prompt);
    assertTrue(model.prompt.endsWith("<|im_end|>\n<|im_start|>assistant\n"), model.prompt);
  }

  @Test
  void proseInsteadOfSearchReplaceBlocksLeavesTheFileAlone() {
    FixedAnswer model =
        new FixedAnswer(
            "SEARCH\nThe bug is in `3.14`; it should be `math.pi`.\n",
            dev.cromwell.chat.ChatResources.read("smollm2-135m-instruct.jinja"));
    EditException e =
        assertThrows(
            EditException.class,
            () ->
                new EditService(model, dev.cromwell.protocol.edit.EditFormat.SEARCH_REPLACE)
                    .edit(
                        new EditService.Request("geo.py", FILE, 3, 4, "use math.pi"), () -> false));
    assertTrue(e.getMessage().contains("no SEARCH/REPLACE block"), e.getMessage());
  }

  @Test
  void anInstructModelsAnswerWithoutACodeBlockLeavesTheFileAlone() throws EditException {
    // Asked to rewrite, Qwen2.5-Coder-1.5B answered a fix request with this sentence alone, and
    // the function was replaced by it.
    String template = dev.cromwell.chat.ChatResources.read("smollm2-135m-instruct.jinja");
    FixedAnswer prose =
        new FixedAnswer(
            "The bug is that 3.14 is not precise; use math.pi instead of 3.14.\n", template);
    EditService.Request request = new EditService.Request("geo.py", FILE, 3, 4, "use math.pi");
    EditException e =
        assertThrows(EditException.class, () -> new EditService(prose).edit(request, () -> false));
    assertTrue(e.getMessage().contains("without a code block"), e.getMessage());
    assertTrue(e.getMessage().contains("(it begins \"The bug is that 3.14"), e.getMessage());

    FixedAnswer fenced =
        new FixedAnswer("```python\ndef area(r):\n    return math.pi * r * r\n```\n", template);
    assertEquals(
        FILE.replace("3.14", "math.pi"), new EditService(fenced).edit(request, () -> false));
  }

  @Test
  void answersThatDoNotApplyAreRefused() {
    FixedAnswer model =
        new FixedAnswer("<<<<<<< SEARCH\nnot there\n=======\nx\n>>>>>>> REPLACE\n", null);
    EditException e =
        assertThrows(
            EditException.class,
            () ->
                new EditService(model)
                    .edit(new EditService.Request("geo.py", FILE, 1, 4, "x"), () -> false));
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    assertThrows(
        EditException.class,
        () ->
            new EditService(model)
                .edit(new EditService.Request("geo.py", FILE, 3, 9, "x"), () -> false));
  }

  @Test
  void aDocstringRequestTakesOnlyTheDocstringFromAnAnswerThatAlsoChangedCode()
      throws EditException {
    String file = "import math\r\n\r\ndef area(r: float):\r\n    return 3.14 * r * r\r\n";
    FixedAnswer model =
        new FixedAnswer(
            "```python\ndef area(r: float) -> float:\n    \"\"\"The area of a circle.\"\"\"\n"
                + "    return math.pi * r ** 2\n```\n",
            dev.cromwell.chat.ChatResources.read("smollm2-135m-instruct.jinja"));
    String out =
        new EditService(model)
            .edit(new EditService.Request("geo.py", file, 3, 4, "Add a docstring."), () -> false);
    assertEquals(
        "import math\r\n\r\ndef area(r: float):\r\n    \"\"\"The area of a circle.\"\"\"\r\n"
            + "    return 3.14 * r * r\r\n",
        out);
  }

  @Test
  void aDocstringRequestWhoseAnswerHasNoDocstringIsRefused() {
    FixedAnswer model = new FixedAnswer("def area(r):\n    return math.pi * r * r\n", null);
    EditException e =
        assertThrows(
            EditException.class,
            () ->
                new EditService(model)
                    .edit(
                        new EditService.Request("geo.py", FILE, 3, 4, "document this function"),
                        () -> false));
    assertTrue(e.getMessage().contains("only for documentation"), e.getMessage());
  }

  @Test
  void aRequestForDocsAndCodeKeepsTheOrdinaryPath() throws EditException {
    FixedAnswer model =
        new FixedAnswer("def area(r):\n    \"\"\"Area.\"\"\"\n    return math.pi * r * r\n", null);
    String out =
        new EditService(model)
            .edit(
                new EditService.Request("geo.py", FILE, 3, 4, "use math.pi and add a docstring"),
                () -> false);
    assertEquals(
        "import math\n\ndef area(r):\n    \"\"\"Area.\"\"\"\n    return math.pi * r * r\n", out);
  }

  @Test
  void aDocstringRequestOnASelectionThatCannotTakeOneIsRefusedNotRewritten() {
    // Review M1: this fell back to the ordinary edit, which took the model's changed code.
    String file = "def area(r): return 3.14 * r * r\n";
    FixedAnswer model =
        new FixedAnswer("def area(r):\n    \"\"\"Area.\"\"\"\n    return math.pi * r ** 2\n", null);
    EditException e =
        assertThrows(
            EditException.class,
            () ->
                new EditService(model)
                    .edit(
                        new EditService.Request("geo.py", file, 1, 1, "add a docstring"),
                        () -> false));
    assertTrue(e.getMessage().startsWith("geo.py: "), e.getMessage());
    assertTrue(e.getMessage().contains("select the whole function"), e.getMessage());
  }

  @Test
  void aFixOfAnUnnamedBugIsToldThereIsOneAndOnlyCodeIsTaken() throws EditException {
    String template = dev.cromwell.chat.ChatResources.read("smollm2-135m-instruct.jinja");
    FixedAnswer model =
        new FixedAnswer(
            "The area should use math.pi, not 3.14.\n```python\ndef area(r):\n"
                + "    return math.pi * r * r\n```\n",
            template);
    String out =
        new EditService(model)
            .edit(new EditService.Request("geo.py", FILE, 3, 4, "Fix the bug."), () -> false);
    assertEquals(FILE.replace("3.14", "math.pi"), out);
    assertTrue(
        model.prompt.startsWith("<|im_start|>system\n" + EditPrompts.SYSTEM_FIX + "<|im_end|>\n"),
        model.prompt);
    // The selection reaches the parser: a usage example after the rewrite is not the rewrite.
    FixedAnswer withExample =
        new FixedAnswer(
            "```python\ndef area(r):\n    return math.pi * r * r\n```\nUsage:\n"
                + "```python\nprint(area(2))\n```\n",
            template);
    assertEquals(
        FILE.replace("3.14", "math.pi"),
        new EditService(withExample)
            .edit(new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false));
    // Reasoning without code leaves the file alone.
    FixedAnswer prose = new FixedAnswer("The code is already correct.\n", template);
    EditException e =
        assertThrows(
            EditException.class,
            () ->
                new EditService(prose)
                    .edit(
                        new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false));
    assertTrue(e.getMessage().contains("without a code block"), e.getMessage());
    // Any other instruction keeps the plain system message.
    new EditService(model)
        .edit(new EditService.Request("geo.py", FILE, 3, 4, "use math.pi"), () -> false);
    assertTrue(
        model.prompt.startsWith("<|im_start|>system\n" + EditPrompts.SYSTEM + "<|im_end|>\n"),
        model.prompt);
  }

  static final String UNCHANGED = "```python\ndef area(r):\n    return 3.14 * r * r\n```\n";
  static final String FIXED = "```python\ndef area(r):\n    return math.pi * r * r\n```\n";

  @Test
  void aFixAnsweredUnchangedIsAskedOnceMoreInTheSameConversation() throws EditException {
    // Spaces at a line end still count as unchanged.
    String unchanged = UNCHANGED.replace("r * r\n", "r * r  \n\n");
    ScriptedEditModel model = new ScriptedEditModel(unchanged, FIXED);
    String out =
        new EditService(model)
            .edit(new EditService.Request("geo.py", FILE, 3, 4, "Fix the bug."), () -> false);
    assertEquals(FILE.replace("3.14", "math.pi"), out);
    assertEquals(2, model.prompts.size());
    String first = model.prompts.get(0);
    String second = model.prompts.get(1);
    // The second prompt is the first conversation, then the model's answer as its own turn, then
    // the reminder that a line is wrong, with the assistant's turn opened again.
    String firstConversation = first.substring(0, first.lastIndexOf("<|im_start|>assistant\n"));
    assertTrue(second.startsWith(firstConversation), second);
    assertTrue(
        second.endsWith(
            "<|im_start|>assistant\n"
                + unchanged.strip()
                + "<|im_end|>\n<|im_start|>user\n"
                + EditPrompts.FIX_UNCHANGED
                + "<|im_end|>\n<|im_start|>assistant\n"),
        second);
  }

  @Test
  void aFixWhoseSecondLookRunsOutOfTimeKeepsItsFirstAnswer() throws EditException {
    ScriptedEditModel model =
        new ScriptedEditModel(UNCHANGED) {
          @Override
          public String generate(
              String prompt,
              int maxTokens,
              List<String> stops,
              BooleanSupplier cancelled,
              java.util.function.Predicate<String> enough) {
            if (prompts.size() == 1) {
              prompts.add(prompt);
              throw new EditModel.OutOfTime("waited past its timeout");
            }
            return super.generate(prompt, maxTokens, stops, cancelled, enough);
          }
        };
    String out =
        new EditService(model)
            .edit(new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false);
    assertEquals(FILE, out, "the first answer, no change, stands");
    assertEquals(2, model.prompts.size());
    // Out of time for the first answer: nothing to keep, so the caller hears of it.
    ScriptedEditModel none =
        new ScriptedEditModel() {
          @Override
          public String generate(
              String prompt,
              int maxTokens,
              List<String> stops,
              BooleanSupplier cancelled,
              java.util.function.Predicate<String> enough) {
            throw new EditModel.OutOfTime("waited past its timeout");
          }
        };
    assertThrows(
        EditModel.OutOfTime.class,
        () ->
            new EditService(none)
                .edit(new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false));
  }

  @Test
  void aFixAnsweredUnchangedHasItsSuspectLineFilledInBeforeASecondLook() throws EditException {
    FillingEditModel model = new FillingEditModel(UNCHANGED, "return math.pi * r * r");
    String out =
        new EditService(model)
            .edit(new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false);
    assertEquals(FILE.replace("3.14", "math.pi"), out);
    assertEquals(2, model.prompts.size(), "the fill, and no second look");
    // The line itself is left out: the code before it and its indentation, then the code after.
    assertEquals(
        "<|fim_prefix|>import math\n\ndef area(r):\n    <|fim_suffix|>\n<|fim_middle|>",
        model.prompts.get(1));
  }

  @Test
  void aFixTellsItsStepsAsTheyHappen() throws EditException {
    List<FixStep> steps = new java.util.ArrayList<>();
    new EditService(new FillingEditModel(UNCHANGED, "return math.pi * r * r"))
        .edit(
            new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false, steps::add);
    assertEquals(
        List.of(
            new FixStep.Suspected(4, "    return 3.14 * r * r", -9),
            new FixStep.Filled(4, "return 3.14 * r * r", "return math.pi * r * r")),
        steps);
    // A fill not taken: then the second look.
    steps.clear();
    new EditService(new FillingEditModel(UNCHANGED, "for x in r:", UNCHANGED))
        .edit(
            new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false, steps::add);
    assertEquals(
        List.of(
            new FixStep.Suspected(4, "    return 3.14 * r * r", -9),
            new FixStep.NotFilled(4, "the model's line `for x in r:` is not a correction of it"),
            new FixStep.AskedAgain(4)),
        steps);
    // Written as it stands: no bug to the model, so no second look either.
    steps.clear();
    FillingEditModel confirming = new FillingEditModel(UNCHANGED, "return 3.14*r*r", FIXED);
    assertEquals(
        FILE,
        new EditService(confirming)
            .edit(
                new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"),
                () -> false,
                steps::add));
    assertEquals(
        List.of(
            new FixStep.Suspected(4, "    return 3.14 * r * r", -9), new FixStep.LineConfirmed(4)),
        steps);
    assertEquals(
        "written from the code around it, line 4 comes out as it stands: the first answer stands",
        steps.get(1).describe());
    assertEquals(2, confirming.prompts.size(), "no second look");
    // An answer that changes the suspect line takes no further step.
    steps.clear();
    new EditService(new FillingEditModel(FIXED))
        .edit(
            new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false, steps::add);
    assertEquals(List.of(new FixStep.Suspected(4, "    return 3.14 * r * r", -9)), steps);
  }

  /** An answer that documents FILE's function (a line more above the suspect) and keeps the bug. */
  static final String DOCUMENTED =
      "```python\ndef area(r):\n    \"\"\"The area.\"\"\"\n    return 3.14 * r * r\n```\n";

  /**
   * "fix the bug" on FILE's function (lines 3-4) with {@code model}; its steps go to {@code steps}.
   */
  private static String fixArea(EditModel model, List<FixStep> steps) throws EditException {
    return new EditService(model)
        .edit(
            new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false, steps::add);
  }

  @Test
  void anAnswerThatChangedOtherLinesAndKeptTheSuspectOneHasItFilledIn() throws EditException {
    List<FixStep> steps = new java.util.ArrayList<>();
    FillingEditModel model = new FillingEditModel(DOCUMENTED, "return math.pi * r * r");
    String out = fixArea(model, steps);
    assertEquals(
        "import math\n\ndef area(r):\n    \"\"\"The area.\"\"\"\n    return math.pi * r * r\n",
        out);
    assertEquals(
        List.of(
            new FixStep.Suspected(4, "    return 3.14 * r * r", -9),
            new FixStep.SuspectKept(4, 5),
            new FixStep.Filled(5, "return 3.14 * r * r", "return math.pi * r * r")),
        steps);
    assertEquals(
        "the first answer changed other lines and kept line 4 (line 5 of the answer), which reads"
            + " least likely to the model: writing it again from the code around it",
        steps.get(1).describe());
    // Filled in the answer's file, around the kept line.
    assertEquals(
        "<|fim_prefix|>import math\n\ndef area(r):\n    \"\"\"The area.\"\"\"\n    <|fim_suffix|>\n"
            + "<|fim_middle|>",
        model.prompts.get(1));
    // Written as it stands, or not taken: the answer stands, and no second look follows.
    for (String fill : new String[] {"return 3.14 * r * r", "for x in r:"}) {
      FillingEditModel asked = new FillingEditModel(DOCUMENTED, fill, FIXED);
      assertEquals(
          "import math\n\ndef area(r):\n    \"\"\"The area.\"\"\"\n    return 3.14 * r * r\n",
          fixArea(asked, new java.util.ArrayList<>()));
      assertEquals(2, asked.prompts.size(), fill);
    }
  }

  @Test
  void aKeptSuspectLineIsNotFilledWhenItIsRepeatedOrTheModelCannotFill() throws EditException {
    // The suspect line stands twice in the answer: no telling which one the answer kept.
    String twice =
        "```python\ndef area(r):\n    return 3.14 * r * r\n    return 3.14 * r * r\n```\n";
    List<FixStep> steps = new java.util.ArrayList<>();
    FillingEditModel model = new FillingEditModel(twice, "return math.pi * r * r");
    String out = fixArea(model, steps);
    assertEquals(FILE + "    return 3.14 * r * r\n", out);
    assertEquals(List.of(new FixStep.Suspected(4, "    return 3.14 * r * r", -9)), steps);
    assertEquals(1, model.prompts.size(), "no fill");
    // A model without fill-in-the-middle: the answer stands, with no step that cannot be taken.
    ScriptedEditModel prefixOnly =
        new ScriptedEditModel(DOCUMENTED) {
          @Override
          public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
            return LineScores.of(new double[] {-1, -9, 0});
          }
        };
    steps.clear();
    fixArea(prefixOnly, steps);
    assertEquals(List.of(new FixStep.Suspected(4, "    return 3.14 * r * r", -9)), steps);
    assertEquals(1, prefixOnly.prompts.size());
  }

  @Test
  void anAnswerThatChangedOtherLinesTakesNoFillWhenNoLineReadsUnlikely() throws EditException {
    FillingEditModel likely =
        new FillingEditModel(DOCUMENTED, "return math.pi * r * r") {
          @Override
          public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
            return LineScores.of(new double[] {-1, -2, 0});
          }
        };
    List<FixStep> steps = new java.util.ArrayList<>();
    fixArea(likely, steps);
    assertEquals(List.of(new FixStep.Suspected(4, "    return 3.14 * r * r", -2)), steps);
    assertEquals(1, likely.prompts.size(), "no fill");
  }

  @Test
  void aFillThatIsNotTakenOrCutShortOrCancelledLeavesTheFile() throws EditException {
    for (String fill : java.util.Arrays.asList("for x in r:", "return 3.14*r*r", null)) {
      FillingEditModel model = new FillingEditModel(UNCHANGED, fill, UNCHANGED);
      String out =
          new EditService(model)
              .edit(new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false);
      assertEquals(FILE, out, "taken: " + fill);
      // The second look, unchanged too, follows a fill not taken, but not one that confirms the
      // line (written as it stands).
      assertEquals(fill != null && fill.startsWith("return") ? 2 : 3, model.prompts.size(), fill);
    }
    // Cancelled while the line is filled in: the edit says so, as at its other turns.
    boolean[] cancel = {false};
    FillingEditModel cancelled =
        new FillingEditModel(UNCHANGED, "return math.pi * r * r") {
          @Override
          public String fill(
              List<dev.cromwell.protocol.FimFormat.Part> parts,
              int maxTokens,
              List<String> stops,
              BooleanSupplier stop) {
            cancel[0] = true;
            return super.fill(parts, maxTokens, stops, stop);
          }
        };
    EditException refused =
        assertThrows(
            EditException.class,
            () ->
                new EditService(cancelled)
                    .edit(
                        new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"),
                        () -> cancel[0]));
    assertEquals("the edit was cancelled", refused.getMessage());
    // A model without a fill-in-the-middle format is not asked.
    ScriptedEditModel plain =
        new ScriptedEditModel(UNCHANGED, UNCHANGED) {
          @Override
          public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
            return LineScores.of(new double[] {-1, -9, 0});
          }
        };
    assertEquals(
        FILE,
        new EditService(plain)
            .edit(new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false));
    assertEquals(2, plain.prompts.size());
  }

  @Test
  void aFilledInLineIsTakenOnlyAsACorrectionOfTheSameStatement() {
    // Corrections of the injected kinds: operator, bound, name, condition, return.
    assertTrue(SuspectLineRefill.corrects("return math.pi * r * r", "return 3.14 * r * r", "", ""));
    assertTrue(SuspectLineRefill.corrects("if distance < threshold:", "if True:", "", ""));
    assertTrue(SuspectLineRefill.corrects("s += num", "s += -num", "", ""));
    assertTrue(SuspectLineRefill.corrects("count = 1", "count = 0", "", ""));
    assertTrue(
        SuspectLineRefill.corrects(
            "for k in range(j + 1, n):", "for k in range(j + 2, n):", "", ""));
    assertTrue(SuspectLineRefill.corrects("} else if (x >= 0) {", "} else if (x > 0) {", "", ""));
    // Not code, or not changed outside string literals.
    assertFalse(SuspectLineRefill.corrects("", "return x", "", ""));
    assertFalse(SuspectLineRefill.corrects("# the area", "return x", "", ""));
    assertFalse(SuspectLineRefill.corrects("return  x", "return x", "", ""));
    assertFalse(SuspectLineRefill.corrects("print(\"done\")", "print(\"ok\")", "", ""));
    // Another statement: kind, assignment target, dotted name, else-if chain.
    assertFalse(SuspectLineRefill.corrects("for x in r:", "if x in r:", "", ""));
    assertFalse(SuspectLineRefill.corrects("total = 0", "count = 0", "", ""));
    assertFalse(SuspectLineRefill.corrects("self.total = 0", "self.count = 0", "", ""));
    assertFalse(SuspectLineRefill.corrects("counts[k] = 1", "counts[j] = 1", "", ""));
    assertFalse(SuspectLineRefill.corrects("} else {", "} else if (x > 0) {", "", ""));
    // Another shape: brackets left open, a lost colon or semicolon.
    assertFalse(SuspectLineRefill.corrects("return f(a", "return f(b)", "", ""));
    assertFalse(SuspectLineRefill.corrects("if x > 1", "if x > 0:", "", ""));
    assertFalse(SuspectLineRefill.corrects("total += 2", "total += 1;", "", ""));
    // A copy of another line of the file.
    assertFalse(
        SuspectLineRefill.corrects(
            "return r * r", "return 3.14 * r", "def f(r):\n", "\n    return r * r\n"));
    // The same computation with the loop's or comprehension's names renamed (the 0.5B on correct
    // code: HumanEval/7, 20).
    assertFalse(
        SuspectLineRefill.corrects(
            "return [s for s in strings if substring in s]",
            "return [x for x in strings if substring in x]",
            "",
            ""));
    assertFalse(
        SuspectLineRefill.corrects(
            "for idx1, elem1 in enumerate(numbers):",
            "for idx, elem in enumerate(numbers):",
            "",
            "\n        use(idx, elem)\n"));
    // ...but a renamed loop that also changes what it computes is a correction to weigh.
    assertTrue(
        SuspectLineRefill.corrects(
            "return [s for s in strings if s > 0]",
            "return [x for x in strings if x >= 0]",
            "",
            ""));
    // A name the old line bound and the code below reads, bound nowhere else (as HumanEval/0's
    // fill `for idx in range(len(numbers) - 1):` did).
    String loops =
        "\n        for idx2, elem2 in enumerate(numbers):\n            d = abs(elem - elem2)\n";
    assertFalse(
        SuspectLineRefill.corrects(
            "for idx in enumerate(numbers):",
            "for idx, elem in enumerate(numbers):",
            "def f(numbers):\n",
            loops));
    // Bound elsewhere too (a parameter, or another assignment), it may go from this line.
    assertTrue(
        SuspectLineRefill.corrects(
            "for idx in enumerate(numbers):",
            "for idx, elem in enumerate(numbers):",
            "def f(numbers, elem):\n",
            loops));
    assertTrue(
        SuspectLineRefill.corrects(
            "count = total + 1", "count = total", "", "\n    return count\n"));
    // A comprehension's names end with it: renamed along with a changed condition, they are no
    // binding the code below lost, whatever it calls x.
    assertTrue(
        SuspectLineRefill.corrects(
            "s = sum(v for v in xs if v > 0)",
            "s = sum(x for x in xs if x >= 0)",
            "",
            "\n    x = 3\n    return s + x\n"));
    // A dropped loop name bound again by a later assignment: the code below reads that one.
    assertTrue(
        SuspectLineRefill.corrects(
            "for idx in enumerate(numbers):",
            "for idx, elem in enumerate(numbers):",
            "def f(numbers):\n",
            "\n        elem = numbers[idx]\n        use(elem)\n"));
    // Only the rest of the function counts: a name read by top-level code after it is another.
    assertTrue(
        SuspectLineRefill.corrects(
            "for idx in enumerate(numbers):",
            "for idx, elem in enumerate(numbers):",
            "def f(numbers):\n",
            "\n        use(idx)\n\nprint(elem)\n"));
    // A lambda's default is a use: correcting it is no rename.
    assertTrue(
        SuspectLineRefill.corrects(
            "key = lambda x, k=hi: x < k", "key = lambda x, k=lo: x < k", "", ""));
  }

  @Test
  void aWrongVariableAmongAComprehensionsNamesIsACorrectionNotARename() {
    // Numbered in binding order: the use that changed is the one difference.
    assertTrue(
        SuspectLineRefill.corrects(
            "return [x for x, y in pairs if x]", "return [x for x, y in pairs if y]", "", ""));
    assertTrue(
        SuspectLineRefill.corrects(
            "return [y for x, y in pairs if y]", "return [x for x, y in pairs if y]", "", ""));
  }

  @Test
  void aLineScoredAtTheThresholdIsNotUnlikelyEnoughAndOneBelowItIs() throws EditException {
    for (double score : new double[] {SuspectLine.UNLIKELY_BELOW, -6.51}) {
      List<FixStep> steps = new java.util.ArrayList<>();
      FillingEditModel model =
          new FillingEditModel(UNCHANGED, "return math.pi * r * r") {
            @Override
            public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
              return LineScores.of(new double[] {-1, score, 0});
            }
          };
      new EditService(model)
          .edit(
              new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"),
              () -> false,
              steps::add);
      if (score == SuspectLine.UNLIKELY_BELOW) {
        assertEquals(
            new FixStep.NothingSuspect(4, score, SuspectLine.UNLIKELY_BELOW), steps.get(1));
        assertEquals(1, model.prompts.size());
      } else {
        assertEquals(
            new FixStep.Filled(4, "return 3.14 * r * r", "return math.pi * r * r"), steps.get(1));
        assertEquals(2, model.prompts.size(), "filled in");
      }
    }
  }

  @Test
  void anUnchangedFirstAnswerWithNoUnlikelyLineIsTheAnswer() throws EditException {
    System.setProperty("cromwell.fix.unlikelyBelow", "-10");
    try {
      List<FixStep> steps = new java.util.ArrayList<>();
      // The FillingEditModel scores the return line -9: likelier than -10, so nothing is suspect,
      // and neither a second look nor a fill is asked for.
      FillingEditModel model = new FillingEditModel(UNCHANGED, "return math.pi * r * r");
      String out =
          new EditService(model)
              .edit(
                  new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"),
                  () -> false,
                  steps::add);
      assertEquals(FILE, out);
      assertEquals(1, model.prompts.size(), "no fill, no second look");
      assertEquals(
          List.of(
              new FixStep.Suspected(4, "    return 3.14 * r * r", -9),
              new FixStep.NothingSuspect(4, -9, -10)),
          steps);
      assertEquals(
          "the first answer changed nothing, and no line reads unusual enough to the model to look"
              + " again (least likely: line 4, log-probability -9.00, not below -10.00)",
          steps.get(1).describe());
    } finally {
      System.clearProperty("cromwell.fix.unlikelyBelow");
    }
    // The default: -9 is below it, so the same fix fills the line in.
    FillingEditModel model = new FillingEditModel(UNCHANGED, "return math.pi * r * r");
    assertEquals(
        FILE.replace("3.14", "math.pi"),
        new EditService(model)
            .edit(new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false));
    assertEquals(2, model.prompts.size());
  }

  @Test
  void theSecondLookIsPointedAtTheCodeLineTheModelFindsLeastLikely() throws EditException {
    String file = "import math\n\ndef area(r):\n    # pi r squared\n    return 3.14 * r * r\n";
    String unchanged = "```python\ndef area(r):\n    # pi r squared\n    return 3.14 * r * r\n```";
    List<String> scored = new java.util.ArrayList<>();
    ScriptedEditModel model =
        new ScriptedEditModel(
            unchanged, FIXED.replace("def area(r):\n", "def area(r):\n    # pi r squared\n")) {
          @Override
          public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
            // Before the first answer, so that the session then keeps the whole conversation.
            assertTrue(prompts.isEmpty(), "scored after an answer");
            scored.add(context);
            scored.add(text);
            // The def line and the comment score lowest, but only code lines compete.
            return LineScores.of(new double[] {-9, -8, -7, 0});
          }
        };
    String out =
        new EditService(model)
            .edit(new EditService.Request("geo.py", file, 3, 5, "fix the bug"), () -> false);
    assertEquals(file.replace("3.14", "math.pi"), out);
    // Scored once: the selected lines, after the first prompt's head up to where they stand.
    String first = model.prompts.get(0);
    assertEquals(2, scored.size());
    assertEquals("def area(r):\n    # pi r squared\n    return 3.14 * r * r\n", scored.get(1));
    assertTrue(first.startsWith(scored.get(0)), first);
    assertTrue(scored.get(0).endsWith("```\nimport math\n\n"), scored.get(0));
    assertTrue(!first.contains("reads least like"), first);
    assertTrue(
        model
            .prompts
            .get(1)
            .endsWith(
                EditPrompts.fixUnchanged(5, "    return 3.14 * r * r")
                    + "<|im_end|>\n<|im_start|>assistant\n"),
        model.prompts.get(1));
  }

  @Test
  void aFixAnsweredAtOnceIsNotPointedAtALineAndOtherEditsAreNotScored() throws EditException {
    int[] scored = {0};
    for (String instruction : List.of("fix the bug", "use math.pi")) {
      ScriptedEditModel model =
          new ScriptedEditModel(FIXED) {
            @Override
            public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
              scored[0]++;
              return LineScores.of(new double[] {-1, -5, 0});
            }
          };
      new EditService(model)
          .edit(new EditService.Request("geo.py", FILE, 3, 4, instruction), () -> false);
      assertEquals(1, model.prompts.size());
      assertTrue(!model.prompts.getFirst().contains("reads least like"));
    }
    // The fix is scored before its first answer, so that its session can keep the conversation.
    assertEquals(1, scored[0]);
  }

  @Test
  void aFixWhoseSecondLookIsProseIsAskedForTheCode() throws EditException {
    String named = "The line `return 3.14 * r * r` should use `math.pi` instead of 3.14.";
    ScriptedEditModel model = new ScriptedEditModel(UNCHANGED, named, FIXED);
    String out =
        new EditService(model)
            .edit(new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false);
    assertEquals(FILE.replace("3.14", "math.pi"), out);
    assertEquals(3, model.prompts.size());
    // The third prompt is the second conversation, then the sentence as the model's turn, then
    // the request for the code.
    String second = model.prompts.get(1);
    String third = model.prompts.get(2);
    assertTrue(third.startsWith(second), third);
    assertTrue(
        third.endsWith(
            named
                + "<|im_end|>\n<|im_start|>user\n"
                + EditPrompts.FIX_NAMED
                + "<|im_end|>\n<|im_start|>assistant\n"),
        third);
  }

  @Test
  void onlyAnUnchangedFixIsAskedAgainAndOnlyOnce() throws EditException {
    EditService.Request fix = new EditService.Request("geo.py", FILE, 3, 4, "fix the bug");
    // A fix that changed something is taken as it is.
    ScriptedEditModel changed = new ScriptedEditModel(FIXED);
    assertEquals(FILE.replace("3.14", "math.pi"), new EditService(changed).edit(fix, () -> false));
    assertEquals(1, changed.prompts.size());
    // Unchanged twice: no third question, and the file comes back as it was ("no change").
    ScriptedEditModel twice = new ScriptedEditModel(UNCHANGED, UNCHANGED);
    assertEquals(FILE, new EditService(twice).edit(fix, () -> false));
    assertEquals(2, twice.prompts.size());
    // Prose on the second look is asked once for the code; prose again leaves the first answer's
    // outcome (no change), not a refusal.
    ScriptedEditModel prose =
        new ScriptedEditModel(
            UNCHANGED, "The code is already correct.\n", "It is correct as it is.\n");
    assertEquals(FILE, new EditService(prose).edit(fix, () -> false));
    assertEquals(3, prose.prompts.size());
    // A second answer with a block that cannot be read (cut off) is not prose: no third question.
    ScriptedEditModel cutOff =
        new ScriptedEditModel(UNCHANGED, "```python\ndef area(r):\n    return math");
    assertEquals(FILE, new EditService(cutOff).edit(fix, () -> false));
    assertEquals(2, cutOff.prompts.size());
    // Any other instruction answered unchanged is not asked again.
    ScriptedEditModel other = new ScriptedEditModel(UNCHANGED);
    assertEquals(
        FILE,
        new EditService(other)
            .edit(new EditService.Request("geo.py", FILE, 3, 4, "use math.pi"), () -> false));
    assertEquals(1, other.prompts.size());
  }

  @Test
  void aFixCancelledDuringItsFirstAnswerIsNotAskedAgain() {
    ScriptedEditModel model = new ScriptedEditModel(UNCHANGED, FIXED);
    EditException e =
        assertThrows(
            EditException.class,
            () ->
                new EditService(model)
                    .edit(
                        new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"),
                        () -> !model.prompts.isEmpty()));
    assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
    assertEquals(1, model.prompts.size());
    // Cancelled during the second answer: refused too, not the first answer's "no change".
    ScriptedEditModel late = new ScriptedEditModel(UNCHANGED, FIXED);
    e =
        assertThrows(
            EditException.class,
            () ->
                new EditService(late)
                    .edit(
                        new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"),
                        () -> late.prompts.size() == 2));
    assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
    // Cancelled during the third answer (after a prose second look): refused too.
    ScriptedEditModel third = new ScriptedEditModel(UNCHANGED, "Line 4 should use math.pi.", FIXED);
    e =
        assertThrows(
            EditException.class,
            () ->
                new EditService(third)
                    .edit(
                        new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"),
                        () -> third.prompts.size() == 3));
    assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
  }
}
