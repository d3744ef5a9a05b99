package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.protocol.edit.EditException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The one-token repair of a fix's suspect line, on scripted scores (the plumbing; what it wins on
 * real models is measured in docs/QUALITY.md, "Fix tasks: the one-token repair").
 */
class SuspectTokenRepairTest {
  static final String FILE = EditServiceTest.FILE;
  static final String REGION = "def area(r):\n    return 3.14 * r * r\n";
  // " 3.14" on the suspect line, counted in the region, with what the model expected there.
  static final LineScores.LeastLikelyToken AT_3_14 =
      new LineScores.LeastLikelyToken(23, 28, List.of(" math.pi", " 2"), null);

  @Test
  void candidatesTakeTheTokenOutOrPutEachExpectedOneInItsPlace() {
    LineScores.LeastLikelyToken not =
        new LineScores.LeastLikelyToken(10, 14, List.of(" x", " y"), null);
    assertEquals(
        List.of("    return x", "    return x x", "    return y x"),
        SuspectTokenRepair.candidates("    return not x", not));
    // None blank, none the line itself; a line end's \r stays.
    LineScores.LeastLikelyToken whole =
        new LineScores.LeastLikelyToken(0, 4, List.of("pass", "x"), null);
    assertEquals(List.of("x\r"), SuspectTokenRepair.candidates("pass\r", whole));
    assertEquals(
        List.of(),
        SuspectTokenRepair.candidates(
            "x", new LineScores.LeastLikelyToken(0, 1, List.of("x"), null)));
  }

  @Test
  void theTokenBeforeTheLeastLikelyOneIsTriedToo() {
    // After a wrong name the next token reads unlikely: `.remove` after `switch`.
    String line = "        switch.remove(res[-1])";
    LineScores.LeastLikelyToken name = new LineScores.LeastLikelyToken(8, 14, List.of("lst"), null);
    LineScores.LeastLikelyToken remove =
        new LineScores.LeastLikelyToken(14, 21, List.of(" ="), name);
    assertEquals(
        List.of(
            "        switch(res[-1])",
            "        switch =(res[-1])",
            "        .remove(res[-1])",
            "        lst.remove(res[-1])"),
        SuspectTokenRepair.candidates(line, remove));
  }

  @Test
  void aLaterLineNearTheThresholdMayMoveByLessThanTheSlack() throws EditException {
    String file = FILE + "    print(r)\n";
    // The line after it reads -6.53 as it stands and -6.6 after the candidate: within the slack.
    assertEquals(
        file.replace("3.14", "math.pi"),
        fixWithALineAfter(line -> line.contains("math.pi") ? -6.6 : -6.53));
  }

  @Test
  void theOneTokenChangeThatReadsLikelyGoesBeforeTheFillsLine() throws EditException {
    Repairing model = new Repairing(line -> line.contains("math.pi") ? -1 : -9, "return 2 * r * r");
    List<FixStep> steps = new ArrayList<>();
    String out = fix(model, steps);
    assertEquals(FILE.replace("3.14", "math.pi"), out);
    assertEquals(
        List.of(
            new FixStep.Suspected(4, "    return 3.14 * r * r", -9),
            // The fill's line is not told: it did not land.
            new FixStep.Repaired(
                4, "return 3.14 * r * r", "return math.pi * r * r", -1, "return 2 * r * r")),
        steps);
    // The line as it stands, then the three candidates, each in the file up to the line.
    assertEquals(
        List.of(
            "    return 3.14 * r * r",
            "    return * r * r",
            "    return math.pi * r * r",
            "    return 2 * r * r"),
        model.rescored);
    assertEquals(2, model.prompts.size(), "the first answer and the fill; no second look");
  }

  @Test
  void anAnswerThatKeptTheSuspectLineHasItRepairedInTheAnswersFile() throws EditException {
    // The answer adds a comment above the line and keeps it: the repair runs in the answer's file.
    String kept =
        EditServiceTest.UNCHANGED.replace("def area(r):\n", "def area(r):\n    # pi r squared\n");
    Repairing model =
        new Repairing(
            line -> line.contains("math.pi") ? -1 : -9, line -> -2, kept, "return 2 * r * r");
    List<FixStep> steps = new ArrayList<>();
    String out = fix(model, steps);
    assertEquals(
        FILE.replace("def area(r):\n", "def area(r):\n    # pi r squared\n")
            .replace("3.14", "math.pi"),
        out);
    assertEquals(
        List.of(
            new FixStep.Suspected(4, "    return 3.14 * r * r", -9),
            new FixStep.SuspectKept(4, 5),
            new FixStep.Repaired(
                5, "return 3.14 * r * r", "return math.pi * r * r", -1, "return 2 * r * r")),
        steps);
  }

  @Test
  void anAnswerThatRewroteTheSuspectLineLosesToARepairThatReadsNoLessLikely() throws EditException {
    // The answer keeps the bug in other words (3 for 3.14), and reads as unlikely as the line did.
    Repairing model = rewritingTo("3", line -> line.contains("math.pi") ? -1 : -9);
    List<FixStep> steps = new ArrayList<>();
    assertEquals(FILE.replace("3.14", "math.pi"), fix(model, steps));
    assertEquals(
        List.of(
            new FixStep.Suspected(4, "    return 3.14 * r * r", -9),
            new FixStep.RepairedOverAnswer(
                4, "return 3.14 * r * r", "return math.pi * r * r", -1, -9)),
        steps);
    // The answer's line is scored where it stands, after the lines both share.
    assertEquals("    return 3 * r * r", model.rescored.getLast());
    assertEquals(1, model.prompts.size(), "the first answer; no fill, no second look");
  }

  @Test
  void aTieGoesToTheRepair() throws EditException {
    // Both read -2: where the least likely token is in a line both leave as it was, they tie.
    Repairing model =
        rewritingTo("3", line -> line.contains("math.pi") || line.contains("return 3 *") ? -2 : -9);
    List<FixStep> steps = new ArrayList<>();
    assertEquals(FILE.replace("3.14", "math.pi"), fix(model, steps));
    assertEquals(
        new FixStep.RepairedOverAnswer(4, "return 3.14 * r * r", "return math.pi * r * r", -2, -2),
        steps.getLast());
  }

  @Test
  void aRepairThatStillReadsUnlikelyDoesNotReplaceAnAnswer() throws EditException {
    // -8 is likelier than the answer's -9.5, but below the threshold: measured, such candidates
    // won one task and broke one (HumanEval/115: a dropped parenthesis read as well as the answer).
    Repairing model =
        rewritingTo(
            "3", line -> line.contains("math.pi") ? -8 : line.contains("return 3 *") ? -9.5 : -9);
    List<FixStep> steps = new ArrayList<>();
    assertEquals(FILE.replace("3.14", "3"), fix(model, steps));
    assertEquals(List.of(new FixStep.Suspected(4, "    return 3.14 * r * r", -9)), steps);
  }

  @Test
  void anAnswerThatBringsALineTheRepairWouldTryStandsUnscored() throws EditException {
    // " 2" is one of the tokens the model expected for 3.14: the answer's line is a candidate,
    // though math.pi would read likelier; nothing is scored after the first answer.
    Repairing model = rewritingTo("2", line -> line.contains("math.pi") ? -1 : -9);
    List<FixStep> steps = new ArrayList<>();
    assertEquals(FILE.replace("3.14", "2"), fix(model, steps));
    assertEquals(List.of(new FixStep.Suspected(4, "    return 3.14 * r * r", -9)), steps);
    assertEquals(List.of(), model.rescored);
  }

  @Test
  void anAnswerThatRewroteTheSuspectLineAndReadsLikelierStands() throws EditException {
    Repairing model =
        rewritingTo(
            "3.14159",
            line -> line.contains("math.pi") ? -3 : line.contains("3.14159") ? -0.5 : -9);
    List<FixStep> steps = new ArrayList<>();
    assertEquals(FILE.replace("3.14", "3.14159"), fix(model, steps));
    assertEquals(List.of(new FixStep.Suspected(4, "    return 3.14 * r * r", -9)), steps);
  }

  @Test
  void anAnswerThatBringsTheRepairsLineStandsWithItsOtherChanges() throws EditException {
    String rewrote =
        EditServiceTest.FIXED.replace("def area(r):\n", "def area(r):\n    # pi r squared\n");
    Repairing model =
        new Repairing(line -> line.contains("math.pi") ? -1 : -9, line -> -2, rewrote);
    List<FixStep> steps = new ArrayList<>();
    assertEquals(
        FILE.replace("def area(r):\n", "def area(r):\n    # pi r squared\n")
            .replace("3.14", "math.pi"),
        fix(model, steps));
    assertEquals(List.of(new FixStep.Suspected(4, "    return 3.14 * r * r", -9)), steps);
  }

  @Test
  void aFullQueueDuringTheRepairLeavesTheAnswerInHand() throws EditException {
    Repairing model =
        new Repairing(
            line -> {
              throw new EditModel.OutOfTime("the queue is full");
            },
            "return 2 * r * r");
    List<FixStep> steps = new ArrayList<>();
    assertEquals(FILE.replace("3.14", "2"), fix(model, steps));
    assertEquals(new FixStep.Filled(4, "return 3.14 * r * r", "return 2 * r * r"), steps.getLast());
  }

  @Test
  void aRenamedTargetIsNoRepair() {
    String file = "import math\n\ndef area(r):\n    a = 3.14 * r * r\n    return a\n";
    LineScores.LeastLikelyToken target =
        new LineScores.LeastLikelyToken(4, 5, List.of("b", "a2"), null);
    SuspectLine suspect = new SuspectLine(4, "    a = 3.14 * r * r", -9, target);
    Repairing model = new Repairing(line -> line.startsWith("    a ") ? -9 : -1);
    assertEquals(null, SuspectTokenRepair.repair(model, "", file, suspect, () -> false));
    // Only the line as it stands was scored: no candidate binds the same name.
    assertEquals(List.of("    a = 3.14 * r * r"), model.rescored);
  }

  @Test
  void aLineThatReadsLikelyInTheFileAtHandIsNotRepaired() {
    // Scored -9 in the file as it was, -3 in an answer's file whose lines above changed.
    Repairing model = new Repairing(line -> line.contains("3.14") ? -3 : -1);
    SuspectLine suspect = new SuspectLine(4, "    return 3.14 * r * r", -9, AT_3_14.from(13));
    assertEquals(null, SuspectTokenRepair.repair(model, "", FILE, suspect, () -> false));
    assertEquals(List.of("    return 3.14 * r * r"), model.rescored);
  }

  @Test
  void indentationIsNeverATokenToSwap() {
    // Qwen's tokens: the indentation less a space, then " foo"; neither a blank token nor a blank
    // expected one is tried, since indentation is Python's block structure.
    LineScores.LeastLikelyToken indent =
        new LineScores.LeastLikelyToken(0, 3, List.of("  ", "x"), null);
    LineScores.LeastLikelyToken name =
        new LineScores.LeastLikelyToken(3, 7, List.of(" ", " bar"), indent);
    assertEquals(List.of("    bar"), SuspectTokenRepair.candidates("    foo", name));
  }

  @Test
  void withNoCandidateThatReadsLikelyTheFillsLineOrTheSecondLookStands() throws EditException {
    Repairing model = new Repairing(line -> -8, "return 2 * r * r");
    assertEquals(FILE.replace("3.14", "2"), fix(model, new ArrayList<>()));
    // The fill not taken: the second look.
    Repairing notFilled = new Repairing(line -> -8, "for x in r:", EditServiceTest.FIXED);
    List<FixStep> steps = new ArrayList<>();
    assertEquals(FILE.replace("3.14", "math.pi"), fix(notFilled, steps));
    assertEquals(new FixStep.AskedAgain(4), steps.getLast());
  }

  @Test
  void aLineTheFillWritesAsItStandsIsNotRepaired() throws EditException {
    Repairing model = new Repairing(line -> -1, "return 3.14 * r * r");
    assertEquals(FILE, fix(model, new ArrayList<>()));
    assertEquals(List.of(), model.rescored, "no candidate scored");
  }

  @Test
  void aChangeThatMakesTheNextLineReadWorseIsNotTaken() throws EditException {
    String file = FILE + "    print(r)\n";
    // The candidate reads likely, but the line after it drops from -2 to -7: the fill's line.
    assertEquals(
        file.replace("3.14", "2"), fixWithALineAfter(line -> line.contains("math.pi") ? -7 : -2));
  }

  /**
   * "Fix the bug" on {@link #FILE} with a {@code print(r)} line after the suspect one, which scores
   * by {@code nextScore} of the line before it; the candidate with {@code math.pi} reads -1, and
   * the fill writes {@code return 2 * r * r}.
   */
  private static String fixWithALineAfter(ToDoubleFunction<String> nextScore) throws EditException {
    String file = FILE + "    print(r)\n";
    String unchanged = EditServiceTest.UNCHANGED.replace("r * r\n", "r * r\n    print(r)\n");
    Repairing model =
        new Repairing(
            line -> line.contains("math.pi") ? -1 : -9, nextScore, unchanged, "return 2 * r * r");
    return new EditService(model)
        .edit(new EditService.Request("geo.py", file, 3, 5, "fix the bug"), () -> false);
  }

  /**
   * A model whose first answer rewrites the suspect line's 3.14 as {@code pi}; candidates and the
   * answer's line score by {@code lineScore}, the lines after them -2.
   */
  private static Repairing rewritingTo(String pi, ToDoubleFunction<String> lineScore) {
    return new Repairing(lineScore, line -> -2, EditServiceTest.UNCHANGED.replace("3.14", pi));
  }

  private static String fix(EditModel model, List<FixStep> steps) throws EditException {
    return new EditService(model)
        .edit(
            new EditService.Request("geo.py", FILE, 3, 4, "fix the bug"), () -> false, steps::add);
  }

  /**
   * An unchanged first answer, then scripted fills and second looks; the region scores -9 on the
   * suspect line with {@link #AT_3_14}, and each rescored line scores by {@code lineScore} (the
   * line after it by {@code nextScore}, given the candidate).
   */
  static class Repairing extends FillingEditModel {
    final ToDoubleFunction<String> lineScore;
    final ToDoubleFunction<String> nextScore;
    final List<String> rescored = new ArrayList<>();

    Repairing(ToDoubleFunction<String> lineScore, String... fillsAndLooks) {
      this(lineScore, candidate -> -2, EditServiceTest.UNCHANGED, fillsAndLooks);
    }

    Repairing(
        ToDoubleFunction<String> lineScore,
        ToDoubleFunction<String> nextScore,
        String first,
        String... fillsAndLooks) {
      super(prepend(first, fillsAndLooks));
      this.lineScore = lineScore;
      this.nextScore = nextScore;
    }

    private static String[] prepend(String first, String[] rest) {
      String[] all = new String[rest.length + 1];
      all[0] = first;
      System.arraycopy(rest, 0, all, 1, rest.length);
      return all;
    }

    @Override
    public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
      if (text.startsWith("def area")) {
        List<LineScores.LeastLikelyToken> tokens = new ArrayList<>();
        tokens.add(null);
        tokens.add(AT_3_14);
        tokens.add(null);
        double[] lowest = new double[text.split("\n", -1).length];
        lowest[1] = -9;
        while (tokens.size() < lowest.length) {
          tokens.add(null);
        }
        return new LineScores(lowest, tokens);
      }
      if (!context.endsWith("def area(r):\n") && !context.endsWith("# pi r squared\n")) {
        throw new AssertionError("a candidate scored after " + context);
      }
      String[] lines = text.split("\n", -1);
      rescored.add(lines[0]);
      double[] lowest = new double[lines.length];
      lowest[0] = lineScore.applyAsDouble(lines[0]);
      for (int i = 1; i < lines.length; i++) {
        lowest[i] = lines[i].isBlank() ? 0 : nextScore.applyAsDouble(lines[0]);
      }
      return LineScores.of(lowest);
    }
  }
}
