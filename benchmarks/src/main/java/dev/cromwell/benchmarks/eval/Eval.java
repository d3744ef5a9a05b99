package dev.cromwell.benchmarks.eval;

import com.google.gson.JsonObject;
import dev.cromwell.edit.EditModel;
import dev.cromwell.edit.EditService;
import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.engine.model.Model;
import dev.cromwell.protocol.FimFormat;
import dev.cromwell.protocol.edit.ChatTemplate;
import dev.cromwell.protocol.edit.EditException;
import dev.cromwell.protocol.edit.EditFormat;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The quality harness: HumanEval (completion, editor path, chat), fill-in-the-middle (single- and
 * multi-line, raw prompt and editor path) and edits (fix the bug, add a docstring) through
 * Cromwell, and through llama.cpp's server with the same prompts when {@code LLAMA_SERVER} is set.
 * Every program the models write runs in the {@link Sandbox}.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Measure completion and edit quality on HumanEval; writes results.json and results.md.",
      "Modes: completion, editor, chat (humaneval); single-raw, single-editor,",
      "single-midline-raw, single-midline, multi-raw, multi-editor (fim); repo-editor (fim-repo,",
      "not in the default --bench); fix, docstring, fix-correct (edit; fix-correct only when",
      "named: \"fix the bug\" on the correct solution, passed when its tests still pass, exact",
      "when the file came back unchanged)."
    })
public final class Eval implements Callable<Integer> {
  static final List<String> COMPLETION_STOPS =
      List.of("\ndef ", "\nclass ", "\nif __name__", "\nprint(", "\n#", "\nassert ");
  static final String CHAT_SYSTEM =
      "You are a careful Python programmer. Answer with the complete function in one ```python"
          + " code block.";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-m", "--model"},
      required = true,
      description = "catalogue name (a .gguf in the model store) or GGUF path")
  String model;

  @Option(
      names = "--bench",
      split = ",",
      defaultValue = "humaneval,fim,edit",
      description = "benchmarks to run (default: ${DEFAULT-VALUE})")
  List<String> benches;

  @Option(names = "--modes", split = ",", description = "only these modes")
  List<String> modes;

  @Option(
      names = "--limit",
      defaultValue = "0",
      description = "problems, evenly spaced over the 164; fim-repo: its tasks (0: all)")
  int limit;

  @Option(
      names = "--problems",
      split = ",",
      description =
          "only these of the --limit problems (HumanEval/32,HumanEval/57): a rerun of some tasks")
  List<String> onlyProblems;

  @Option(
      names = "--fim-lines",
      defaultValue = "0",
      description =
          "single-line FIM tasks per problem (fim-repo: per file), drawn with --seed (0: every"
              + " non-blank line)")
  int fimLines;

  @Option(
      names = "--seed",
      defaultValue = "22",
      description = "FIM spans and bug injection (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = {"-t", "--threads"},
      defaultValue = "2",
      description = "inference threads (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--out", description = "output folder (default: eval-results/MODEL)")
  Path out;

  @Option(
      names = "--humaneval",
      description =
          "HumanEval.jsonl.gz (default: ../shared/testdata/humaneval/ beside the project)")
  Path humanEval;

  @Option(
      names = "--repo",
      description =
          "the project whose Python files fim-repo masks lines of (default: this repository's"
              + " training/)")
  Path repo;

  @Option(
      names = "--llama-server",
      description = "llama.cpp server URL (default: $LLAMA_SERVER); adds a llama.cpp column")
  String llamaServer = System.getenv("LLAMA_SERVER");

  @Option(
      names = "--context-budget",
      description = "the LSP server's contextBudget setting for the editor path (default: its own)")
  Integer contextBudget;

  @Option(
      names = "--load",
      defaultValue = "copy",
      description =
          "how the harness loads the model for every mode but the editor path: copy (as cromwell"
              + " edit, complete and the editor server do) or mmap (the default of rows before 5"
              + " December 09:00 UTC; slower decoding on K-quant files) (default: ${DEFAULT-VALUE})")
  String load;

  @Option(
      names = "--timeout",
      defaultValue = "10",
      description = "seconds per test run (default: ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Option(
      names = "--max-tokens",
      defaultValue = "0",
      description =
          "cap every generation at this many tokens (0: each mode's own; for quick checks)")
  int maxTokens;

  @Option(
      names = "--edit-format",
      defaultValue = "auto",
      description =
          "auto (as cromwell edit: rewrite, since no catalogue model measured better with"
              + " search-replace), rewrite or search-replace (default: ${DEFAULT-VALUE})")
  String editFormat;

  @Option(
      names = "--speculate",
      split = ",",
      defaultValue = "auto",
      description =
          "edits: speculation, auto (as cromwell edit), off, on or on:N (prompt lookup proposing"
              + " up to N tokens); two or more (off,on) run every edit once per setting, interleaved,"
              + " score the first, and write speculation.md comparing speed and output")
  List<String> speculate;

  private Sandbox sandbox;
  private Path outDir;

  private int tokens(int modeDefault) {
    return maxTokens > 0 ? Math.min(maxTokens, modeDefault) : modeDefault;
  }

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new Eval());
    cli.setExecutionExceptionHandler(
        (e, c, p) -> {
          System.err.println("eval: " + e.getMessage());
          return 2;
        });
    System.exit(cli.execute(args));
  }

  /** Each benchmark's modes, in the order they run: what --bench and --modes may name. */
  static final Map<String, List<String>> MODES =
      Map.of(
          "humaneval", List.of("completion", "editor", "chat"),
          "fim",
              List.of(
                  "single-raw",
                  "single-midline-raw",
                  "multi-raw",
                  "single-editor",
                  "single-midline",
                  "multi-editor"),
          "fim-repo", List.of("repo-editor"),
          "edit", List.of("fix", "docstring", "fix-correct"));

  /**
   * Refuses a benchmark or mode name that would run nothing: a typo used to give an empty table
   * after loading the model.
   */
  private void checkNames() {
    List<String> known = new ArrayList<>();
    for (String bench : benches) {
      List<String> modesOf = MODES.get(bench);
      if (modesOf == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "unknown benchmark '" + bench + "'; --bench takes " + new TreeSet<>(MODES.keySet()));
      }
      known.addAll(modesOf);
    }
    for (String mode : modes == null ? List.<String>of() : modes) {
      if (!known.contains(mode)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "mode '" + mode + "' is not one of " + benches + "'s modes " + known);
      }
    }
  }

  /** The --load setting, refused before the model loads when it is neither copy nor mmap. */
  private LoadMode loadMode() {
    try {
      return LoadMode.valueOf(load.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--load takes copy or mmap, not '" + load + "'");
    }
  }

  @Override
  public Integer call() throws Exception {
    checkNames();
    LoadMode loadMode = loadMode();
    Path modelPath = ModelRef.resolve(model);
    String modelName = modelPath.getFileName().toString().replaceFirst("\\.gguf$", "");
    Path data =
        humanEval != null
            ? humanEval
            : Path.of(System.getProperty("cromwell.root", "."))
                .resolve("../shared/testdata/humaneval/HumanEval.jsonl.gz")
                .normalize();
    List<Problem> all = Problem.load(data);
    List<Problem> problems = subset(all, limit);
    if (onlyProblems != null) {
      problems = problems.stream().filter(p -> onlyProblems.contains(p.taskId())).toList();
    }
    Path dir = out != null ? out : Path.of("eval-results", modelName);
    outDir = dir;
    sandbox = new Sandbox(timeoutSeconds * 1000L);
    Report report = new Report();
    report.meta("model", modelPath.toString());
    report.meta("date", Instant.now().toString());
    report.meta("problems", problems.size() + " of " + all.size());
    report.meta("seed", Long.toString(seed));
    report.meta("editFormat", editFormat);
    report.meta(
        "command",
        "bin/eval " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    report.meta("sandbox", sandbox.description());
    System.err.println(
        "eval: " + modelName + ", " + problems.size() + " problems; " + sandbox.description());
    report.meta("load", loadMode.name().toLowerCase(Locale.ROOT));
    try (Model m =
        Model.load(
            modelPath, new Model.Options(threads, 4096, Model.DEFAULT_PREFILL_CHUNK, loadMode))) {
      CromwellBackend cromwell = new CromwellBackend(m);
      report.meta("fimFormat", cromwell.format().name());
      List<Backend> backends = new ArrayList<>(List.of(cromwell));
      if (llamaServer != null && !llamaServer.isBlank()) {
        backends.add(new LlamaServerBackend(llamaServer, cromwell));
        report.meta("llamaServer", llamaServer);
      }
      LspEditor editor = null;
      try {
        if (benches.contains("humaneval")) {
          for (Backend b : backends) {
            run(report, "humaneval", "completion", b, problems, p -> completion(b, p));
          }
          if (wanted("editor")) {
            editor = editor(modelPath);
            LspEditor e = editor;
            run(report, "humaneval", "editor", cromwell, problems, p -> editorCompletion(e, p));
          }
          if (cromwell.editModel().chatTemplate() != null) {
            for (Backend b : backends) {
              run(report, "humaneval", "chat", b, problems, p -> chat(b, p));
            }
          }
        }
        if (benches.contains("fim")) {
          List<FimTask> single = new ArrayList<>();
          List<FimTask> multi = new ArrayList<>();
          for (Problem p : problems) {
            single.addAll(FimTask.singleLine(p, fimLines, seed));
            multi.add(FimTask.multiLine(p, seed));
          }
          // The same masked lines, the cursor halfway into each.
          List<FimTask> midline = single.stream().map(FimTask::midLine).toList();
          FimFormat format = cromwell.format();
          for (Backend b : backends) {
            run(report, "fim", "single-raw", b, single, t -> fimRaw(b, format, t, true));
            run(report, "fim", "single-midline-raw", b, midline, t -> fimRaw(b, format, t, true));
            run(report, "fim", "multi-raw", b, multi, t -> fimRaw(b, format, t, false));
          }
          if (wanted("single-editor") || wanted("single-midline") || wanted("multi-editor")) {
            if (editor == null) {
              editor = editor(modelPath);
            }
            LspEditor e = editor;
            run(report, "fim", "single-editor", cromwell, single, t -> fimEditor(e, t, true));
            run(report, "fim", "single-midline", cromwell, midline, t -> fimEditor(e, t, true));
            run(report, "fim", "multi-editor", cromwell, multi, t -> fimEditor(e, t, false));
          }
        }
        if (benches.contains("fim-repo") && wanted("repo-editor")) {
          Path project =
              repo != null
                  ? repo
                  : Path.of(System.getProperty("cromwell.root", ".")).resolve("training");
          List<String> files = RepoFimTask.pythonFiles(project);
          List<RepoFimTask> tasks =
              subset(
                  RepoFimTask.sample(project, fimLines > 0 ? fimLines : Integer.MAX_VALUE, seed),
                  limit);
          report.meta(
              "repo", project.toAbsolutePath().normalize() + ", " + files.size() + " files");
          try (LspEditor e =
              new LspEditor(modelPath, threads, tokens(384), editorSettings(), files, project)) {
            run(report, "fim-repo", "repo-editor", cromwell, tasks, t -> repoEditor(e, t));
          }
        }
        if (benches.contains("edit")) {
          List<EditTask> fixes = new ArrayList<>();
          List<EditTask> docstrings = new ArrayList<>();
          if (wanted("fix")) {
            for (Problem p : problems) {
              firstCaughtBug(p).ifPresent(fixes::add);
            }
            System.err.println("eval: " + fixes.size() + " fix tasks with a bug the tests catch");
          }
          for (Problem p : problems) {
            EditTask.docstring(p).ifPresent(docstrings::add);
          }
          // Only when named: what "fix the bug" does to code without one.
          List<EditTask> correct =
              modes != null && modes.contains("fix-correct")
                  ? problems.stream().map(EditTask::fixOnCorrect).toList()
                  : List.of();
          List<SpeculationSetting> settings =
              speculate.stream().map(SpeculationSetting::parse).toList();
          for (Backend b : backends) {
            if (b == cromwell) {
              ComparingEditModel em = new ComparingEditModel(m, settings);
              // Rewritten after every task, so that a run cut short still leaves its table.
              run(report, "edit", "fix", b, fixes, t -> speculated(em, t, this::fix));
              run(
                  report,
                  "edit",
                  "docstring",
                  b,
                  docstrings,
                  t -> speculated(em, t, this::docstring));
              run(
                  report,
                  "edit",
                  "fix-correct",
                  b,
                  correct,
                  t -> speculated(em, t, this::fixOnCorrect));
              if (settings.size() > 1) {
                System.out.print(writeSpeculation(em));
              }
            } else {
              EditModel em = b.editModel();
              run(report, "edit", "fix", b, fixes, t -> fix(em, t));
              run(report, "edit", "docstring", b, docstrings, t -> docstring(em, t));
              run(report, "edit", "fix-correct", b, correct, t -> fixOnCorrect(em, t));
            }
          }
        }
      } finally {
        if (editor != null) {
          editor.close();
        }
      }
    }
    report.write(dir);
    System.out.print(report.markdown());
    System.err.println("eval: wrote " + dir.resolve("results.json") + " and results.md");
    return 0;
  }

  private Outcome speculated(
      ComparingEditModel em,
      EditTask t,
      java.util.function.BiFunction<EditModel, EditTask, Outcome> edit)
      throws java.io.IOException {
    Outcome o = edit.apply(em.forTask(t.id()), t);
    if (speculate.size() > 1) {
      writeSpeculation(em);
    }
    return o;
  }

  /** Writes speculation.md and returns its text. */
  private String writeSpeculation(ComparingEditModel em) throws java.io.IOException {
    String load;
    try {
      load =
          String.join(
              " ",
              List.of(java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip().split(" "))
                  .subList(0, 3));
    } catch (java.io.IOException e) {
      load =
          String.format(
              Locale.ROOT,
              "%.2f",
              java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                  .getSystemLoadAverage());
    }
    String md =
        "# Speculation on edits\n\n"
            + "`bin/eval "
            + String.join(" ", spec.commandLine().getParseResult().originalArgs())
            + "`\n\n"
            + em.markdown(load);
    java.nio.file.Files.createDirectories(outDir);
    java.nio.file.Files.writeString(outDir.resolve("speculation.md"), md);
    return md;
  }

  /** {@code n} problems spread evenly over the list (all when n is 0 or too large). */
  static <T> List<T> subset(List<T> all, int n) {
    if (n <= 0 || n >= all.size()) {
      return all;
    }
    List<T> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(all.get((int) ((long) i * all.size() / n)));
    }
    return out;
  }

  private boolean wanted(String mode) {
    return modes == null || modes.contains(mode);
  }

  @FunctionalInterface
  interface Task<T> {
    Outcome run(T task) throws Exception;
  }

  private <T> void run(
      Report report, String bench, String mode, Backend backend, List<T> tasks, Task<T> task)
      throws Exception {
    if (!wanted(mode) || tasks.isEmpty()) {
      return;
    }
    List<Outcome> outcomes = new ArrayList<>();
    long started = System.nanoTime();
    int passed = 0;
    for (T t : tasks) {
      long t0 = System.nanoTime();
      Outcome o = task.run(t);
      o = o.withSeconds((System.nanoTime() - t0) / 1e9);
      outcomes.add(o);
      passed += o.passed() ? 1 : 0;
      // Written after every task, so that a run cut short still leaves its results.
      report.add(bench, mode, backend.name(), List.copyOf(outcomes));
      report.write(outDir);
      System.err.printf(
          Locale.ROOT,
          "%s/%s %s %d/%d %s%s%n",
          bench,
          mode,
          backend.name(),
          outcomes.size(),
          tasks.size(),
          o.passed() ? "pass" : "FAIL",
          o.passed() ? "" : " (" + o.reason() + ")");
    }
    System.err.printf(
        Locale.ROOT,
        "== %s/%s %s: %d/%d in %.0f s%n",
        bench,
        mode,
        backend.name(),
        passed,
        tasks.size(),
        (System.nanoTime() - started) / 1e9);
  }

  private LspEditor editor(Path modelPath) throws Exception {
    return new LspEditor(modelPath, threads, tokens(384), editorSettings());
  }

  private JsonObject editorSettings() {
    JsonObject settings = new JsonObject();
    if (contextBudget != null) {
      settings.addProperty("contextBudget", contextBudget);
    }
    return settings;
  }

  /**
   * The cursor at the masked line's indentation in the project file. At an empty line the editor
   * path may suggest a block: the task passes when its first line is the masked one (what "accept
   * line" would take), and is exact when the file then equals the original.
   */
  private Outcome repoEditor(LspEditor e, RepoFimTask t) throws Exception {
    String accepted = e.acceptSuggestionIn(t.path(), t.prefix() + t.suffix(), t.prefix().length());
    String middle = inserted(accepted, t.prefix(), t.suffix());
    boolean exact = FimTask.sameCode(accepted, t.reference());
    boolean firstLine = RepoFimTask.firstLineMatches(middle, t.target());
    return new Outcome(
        t.id(), firstLine, exact, firstLine ? "" : "first line not the original", 0, middle);
  }

  private Outcome tested(String id, Problem p, String file, boolean exact, String output) {
    Sandbox.Outcome r = sandbox.run(p.testProgram(file));
    return new Outcome(id, r.passed(), exact, r.reason(), 0, output);
  }

  private Outcome completion(Backend b, Problem p) {
    String text =
        b.complete(List.of(new FimFormat.Part.Text(p.prompt())), tokens(384), COMPLETION_STOPS);
    return tested(p.taskId(), p, p.prompt() + text, false, text);
  }

  /** The user pressed Enter after the docstring; the editor indented the new line. */
  private Outcome editorCompletion(LspEditor e, Problem p) throws Exception {
    String doc = p.prompt() + "    ";
    String accepted = e.acceptSuggestion(doc, doc.length());
    return tested(p.taskId(), p, accepted, false, accepted.substring(p.prompt().length()));
  }

  private Outcome chat(Backend b, Problem p) {
    String template = b.editModel().chatTemplate();
    String user = "Complete the following Python function.\n\n```python\n" + p.prompt() + "```";
    // Instruct models restate the prompt (signature and docstring) before the body, so the cap
    // leaves room for that on top of completion mode's 384: a flat 384 cut long-docstring answers.
    int restated = b.editModel().countTokens(p.prompt());
    String answer =
        b.editModel()
            .generate(
                ChatTemplate.detect(template).render(CHAT_SYSTEM, user),
                tokens(384 + restated),
                List.of(),
                () -> false);
    String code = ChatCode.extract(answer);
    String file = ChatCode.program(p, code);
    return tested(p.taskId(), p, file, false, answer);
  }

  private Outcome fimRaw(Backend b, FimFormat format, FimTask t, boolean single) {
    List<FimFormat.Part> prompt = format.render("task.py", t.prefix(), t.suffix(), List.of(), "#");
    String fill = b.complete(prompt, tokens(single ? 64 : 256), single ? List.of("\n") : List.of());
    if (!single && !fill.endsWith("\n") && !t.suffix().isEmpty()) {
      fill += "\n";
    }
    String file = t.prefix() + fill + t.suffix();
    return tested(t.id(), t.problem(), file, FimTask.sameCode(file, t.reference()), fill);
  }

  /**
   * The cursor stands at the end of the task's prefix: after the masked line's indentation (or,
   * mid-line, after its typed half), or on a line of its own at the span's indentation (multi).
   */
  private Outcome fimEditor(LspEditor e, FimTask t, boolean single) throws Exception {
    String before = single ? t.prefix() : t.prefix() + t.indent();
    String after = single ? t.suffix() : "\n" + t.suffix();
    String accepted = e.acceptSuggestion(before + after, before.length());
    return tested(
        t.id(),
        t.problem(),
        accepted,
        FimTask.sameCode(accepted, t.reference()),
        inserted(accepted, before, after));
  }

  /**
   * What the accepted suggestion put between {@code before} and {@code after}; the whole file when
   * its range also rewrote text around the cursor (a healed token it spelled differently).
   */
  static String inserted(String accepted, String before, String after) {
    return accepted.startsWith(before)
            && accepted.endsWith(after)
            && accepted.length() >= before.length() + after.length()
        ? accepted.substring(before.length(), accepted.length() - after.length())
        : accepted;
  }

  private java.util.Optional<EditTask> firstCaughtBug(Problem p) {
    for (BugInjector.Bug bug : BugInjector.candidates(p, seed)) {
      Sandbox.Outcome r = sandbox.run(p.testProgram(p.prompt() + bug.solution()));
      if (!r.passed() && !r.reason().contains("SyntaxError") && !r.reason().contains("timed out")) {
        return java.util.Optional.of(EditTask.fix(p, bug));
      }
    }
    return java.util.Optional.empty();
  }

  private Outcome fix(EditModel em, EditTask t) {
    return scoredEdit(em, t, edited -> tested(t.id(), t.problem(), edited, false, edited));
  }

  /** The tests still pass; exact when the file came back as it was. */
  private Outcome fixOnCorrect(EditModel em, EditTask t) {
    return scoredEdit(
        em, t, edited -> tested(t.id(), t.problem(), edited, edited.equals(t.file()), edited));
  }

  private Outcome docstring(EditModel em, EditTask t) {
    return scoredEdit(
        em,
        t,
        edited -> {
          Sandbox.Outcome r = sandbox.run(t.docstringCheck(edited));
          return new Outcome(t.id(), r.passed(), false, r.reason(), 0, edited);
        });
  }

  /** A refusal or a change above the function fails the task; otherwise {@code score} decides. */
  private Outcome scoredEdit(
      EditModel em, EditTask t, java.util.function.Function<String, Outcome> score) {
    List<String> steps = new ArrayList<>();
    String edited;
    try {
      edited = edit(em, t, step -> steps.add(step.toString()));
    } catch (EditException e) {
      return new Outcome(t.id(), false, false, "refused: " + e.getMessage(), 0, "")
          .withSteps(steps);
    }
    if (!edited.startsWith(t.outside())) {
      return new Outcome(t.id(), false, false, "changed text outside the function", 0, edited)
          .withSteps(steps);
    }
    return score.apply(edited).withSteps(steps);
  }

  /** As {@code cromwell edit FILE:L1-L2 INSTRUCTION} does it. */
  private String edit(
      EditModel em, EditTask t, java.util.function.Consumer<dev.cromwell.edit.FixStep> steps)
      throws EditException {
    EditService service =
        switch (editFormat) {
          case "auto" -> new EditService(em);
          case "rewrite" -> new EditService(em, EditFormat.REWRITE);
          case "search-replace" -> new EditService(em, EditFormat.SEARCH_REPLACE);
          default ->
              throw new IllegalArgumentException(
                  "--edit-format takes auto, rewrite or search-replace, not " + editFormat);
        };
    return service.edit(
        new EditService.Request("task.py", t.file(), t.firstLine(), t.lastLine(), t.instruction()),
        () -> false,
        steps);
  }
}
