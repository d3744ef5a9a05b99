package dev.cromwell.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The harness's scoring, held to the reference solutions: what passes must pass, bugs must fail.
 */
class HarnessTest {
  static List<Problem> problems;
  static final Sandbox SANDBOX = new Sandbox(10_000);

  @BeforeAll
  static void load() throws Exception {
    problems =
        Eval.subset(Problem.load(Path.of("../../shared/testdata/humaneval/HumanEval.jsonl.gz")), 3);
  }

  @Test
  void unknownBenchmarksAndModesAreRefusedBeforeTheModelLoads() {
    Map<String, String[]> refusals =
        Map.of(
            "unknown benchmark 'humanevl'",
            new String[] {"-m", "no-such-model", "--bench", "humanevl"},
            "mode 'fix' is not one of [fim]'s modes",
            new String[] {"-m", "no-such-model", "--bench", "fim", "--modes", "fix"},
            "mode 'complet' is not one of [humaneval]'s modes",
            new String[] {"-m", "no-such-model", "--bench", "humaneval", "--modes", "complet"},
            "--load takes copy or mmap, not 'mapped'",
            new String[] {"-m", "no-such-model", "--load", "mapped"});
    refusals.forEach(
        (message, args) -> {
          StringWriter err = new StringWriter();
          int code = new CommandLine(new Eval()).setErr(new PrintWriter(err)).execute(args);
          assertEquals(2, code, String.join(" ", args));
          // Refused by name, not by the model lookup that would come next.
          assertTrue(err.toString().contains(message), err.toString());
          assertFalse(err.toString().contains("no-such-model"), err.toString());
        });
  }

  @Test
  void theReportTalliesFixStepsWithTheirPasses() {
    Outcome plain = new Outcome("a", true, false, "", 1, "x");
    Outcome filled =
        new Outcome("b", true, false, "", 1, "x")
            .withSteps(
                List.of(
                    "Suspected[line=3, text=x, lowest=-9.0]", "Filled[line=3, before=x, after=y]"));
    Outcome notFilled =
        new Outcome("c", false, false, "AssertionError", 1, "x")
            .withSteps(
                List.of(
                    "Suspected[line=2, text=x, lowest=-7.0]",
                    "NotFilled[line=2, why=no whole line came back]",
                    "AskedAgain[namedLine=2]"));
    Outcome nothingSuspect =
        new Outcome("d", true, false, "", 1, "x")
            .withSteps(
                List.of(
                    "Suspected[line=2, text=x, lowest=-1.0]",
                    "NothingSuspect[line=2, lowest=-1.0]"));
    Outcome confirmed =
        new Outcome("e", true, false, "", 1, "x")
            .withSteps(List.of("Suspected[line=2, text=x, lowest=-8.0]", "LineConfirmed[line=2]"));
    Outcome keptFilled =
        new Outcome("f", false, false, "AssertionError", 1, "x")
            .withSteps(
                List.of(
                    "Suspected[line=2, text=x, lowest=-8.0]",
                    "SuspectKept[line=2, now=3]",
                    "Filled[line=3, before=x, after=y]"));
    Outcome repaired =
        new Outcome("g", true, false, "", 1, "x")
            .withSteps(
                List.of(
                    "Suspected[line=2, text=x, lowest=-8.0]",
                    "Repaired[line=2, before=x, after=y, lowest=-1.5, overFill=z]"));
    assertEquals(
        "SuspectKept 1 (0 passed); NothingSuspect 1 (1 passed); AskedAgain 1 (0 passed); Filled 2"
            + " (1 passed); Repaired 1 (1 passed); NotFilled 1 (0 passed); LineConfirmed 1 (1"
            + " passed)",
        Report.stepTally(
            List.of(plain, filled, notFilled, nothingSuspect, confirmed, keptFilled, repaired)));
    assertEquals("", Report.stepTally(List.of(plain)));
    Report report = new Report();
    report.add("edit", "fix", "Cromwell", List.of(plain, filled, notFilled));
    assertTrue(
        report
            .markdown()
            .contains(
                "- edit/fix: AskedAgain 1 (0 passed); Filled 1 (1 passed); NotFilled 1 (0"
                    + " passed)"),
        report.markdown());
  }

  @Test
  void canonicalSolutionsPassAndWrongOnesFail() {
    for (Problem p : problems) {
      assertTrue(SANDBOX.run(p.testProgram(p.solutionFile())).passed(), p.taskId());
      assertFalse(SANDBOX.run(p.testProgram(p.prompt() + "    return None\n")).passed());
    }
  }

  @Test
  void theSandboxStopsRunawayCodeAndTheNetwork() {
    Sandbox quick = new Sandbox(2_000);
    assertEquals("timed out", quick.run("while True:\n    pass\n").reason());
    assertFalse(
        quick
            .run("import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=1)\n")
            .passed());
    assertFalse(quick.run("x = bytearray(4 << 30)\n").passed(), "4 GiB is over the memory limit");
  }

  @Test
  void fimTasksRebuildTheReferenceFile() {
    for (Problem p : problems) {
      List<FimTask> single = FimTask.singleLine(p, 0, 22);
      assertFalse(single.isEmpty());
      for (FimTask t : single) {
        assertEquals(p.solutionFile(), t.reference());
        assertFalse(t.target().isBlank());
        assertFalse(t.target().contains("\n"));
      }
      List<FimTask> sample = FimTask.singleLine(p, 2, 22);
      assertEquals(Math.min(2, single.size()), sample.size());
      assertTrue(single.containsAll(sample));
      assertEquals(sample, FimTask.singleLine(p, 2, 22), "the sample is fixed by the seed");
      FimTask multi = FimTask.multiLine(p, 22);
      assertEquals(p.solutionFile(), multi.reference());
      assertEquals(multi, FimTask.multiLine(p, 22), "the span is fixed by the seed");
    }
  }

  @Test
  void repoFimTasksMaskOneLineOfARealProjectsFiles() throws Exception {
    Path project = Path.of("../training");
    List<String> files = RepoFimTask.pythonFiles(project);
    assertTrue(files.contains("cromwell_train/data.py"), files.toString());
    assertTrue(files.stream().noneMatch(f -> f.contains("__pycache__")), files.toString());
    List<RepoFimTask> tasks = RepoFimTask.sample(project, 2, 22);
    assertEquals(tasks, RepoFimTask.sample(project, 2, 22), "the same lines on every run");
    assertTrue(tasks.size() > files.size(), tasks.size() + " tasks");
    for (RepoFimTask t : tasks) {
      assertEquals(
          java.nio.file.Files.readString(project.resolve(t.path())), t.reference(), t.id());
      assertFalse(t.target().isBlank() || t.target().contains("\n"), t.id());
      String lineStart = t.prefix().substring(t.prefix().lastIndexOf('\n') + 1);
      assertTrue(lineStart.isBlank(), t.id() + ": the cursor at the line's indentation");
      assertTrue(t.suffix().isEmpty() || t.suffix().startsWith("\n"), t.id());
    }
    assertTrue(RepoFimTask.firstLineMatches("return x  \n    y = 1", "return x"));
    assertFalse(RepoFimTask.firstLineMatches("return", "return x"));
    assertFalse(RepoFimTask.firstLineMatches("\nreturn x", "return x"));
  }

  @Test
  void midLineCutsTheMaskedLineHalfwayIntoItsContent() {
    Problem p =
        new Problem(
            "HumanEval/0",
            "def f(x):\n",
            "    y = x + 1  \n    return y\n",
            "def check(candidate):\n    assert candidate(1) == 2\n",
            "f");
    List<FimTask> lines = FimTask.singleLine(p, 0, 22);
    FimTask first = lines.get(0).midLine();
    // "y = x + 1" is 9 chars (the trailing blanks not counted): 4 typed, the rest to write.
    assertEquals("def f(x):\n    y = ", first.prefix());
    assertEquals("x + 1  ", first.target());
    assertEquals("\n    return y\n", first.suffix(), "the lines after are kept");
    assertEquals(lines.get(0).id(), first.id(), "the same line as single-editor masks");
    FimTask last = lines.get(1).midLine();
    assertEquals("def f(x):\n    y = x + 1  \n    retu", last.prefix());
    assertEquals("rn y", last.target());
    assertEquals("\n", last.suffix());
    for (Problem q : problems) {
      for (FimTask t : FimTask.singleLine(q, 0, 22)) {
        FimTask m = t.midLine();
        assertEquals(t.reference(), m.reference(), m.id());
        assertTrue(m.prefix().startsWith(t.prefix()) && t.target().endsWith(m.target()));
        assertFalse(m.target().isEmpty(), m.id());
      }
    }
  }

  @Test
  void theInsertedTextIsWhatLiesBetweenTheCursorsSides() {
    assertEquals("x + 1", Eval.inserted("a = x + 1\nb", "a = ", "\nb"));
    // A healed token spelled differently rewrote text before the cursor: the whole file is kept.
    assertEquals("a == 1\nb", Eval.inserted("a == 1\nb", "a = ", "\nb"));
  }

  @Test
  void injectedBugsAreDeterministicAndCaughtByTheTests() {
    for (Problem p : problems) {
      List<BugInjector.Bug> bugs = BugInjector.candidates(p, 22);
      assertEquals(bugs, BugInjector.candidates(p, 22));
      assertTrue(
          bugs.stream()
              .anyMatch(b -> !SANDBOX.run(p.testProgram(p.prompt() + b.solution())).passed()),
          p.taskId());
    }
  }

  @Test
  void theDocstringCheckAcceptsOnlyADocstring() {
    for (Problem p : problems) {
      EditTask t = EditTask.docstring(p).orElseThrow();
      assertFalse(t.file().contains(">>>"), "the problem's docstring is taken out");
      assertTrue(SANDBOX.run(t.docstringCheck(p.solutionFile())).passed(), p.taskId());
      assertFalse(SANDBOX.run(t.docstringCheck(t.file())).passed(), "no docstring added");
      String changed = p.prompt() + p.canonicalSolution().replaceFirst("return", "return 1 +");
      assertFalse(SANDBOX.run(t.docstringCheck(changed)).passed(), "code changed");
    }
  }
}
