package dev.cromwell.benchmarks.eval;

import com.google.gson.JsonPrimitive;
import java.util.List;
import java.util.Optional;

/**
 * An edit task on a whole HumanEval file: the entry-point function (its {@code def} line to the end
 * of the file) is the selection, as a user would select it before asking.
 *
 * @param file the file before the edit
 * @param firstLine the function's first line (1-based)
 * @param lastLine the file's last line
 */
public record EditTask(
    String id, Problem problem, String file, int firstLine, int lastLine, String instruction) {

  /** "Fix the bug" on the solution with one injected bug. */
  public static EditTask fix(Problem p, BugInjector.Bug bug) {
    return of(
        p.taskId() + " " + bug.kind().name().toLowerCase(java.util.Locale.ROOT),
        p,
        p.prompt() + bug.solution(),
        "fix the bug");
  }

  /** "Fix the bug" on the canonical solution, which has none. */
  public static EditTask fixOnCorrect(Problem p) {
    return of(p.taskId() + " correct", p, p.prompt() + p.canonicalSolution(), "fix the bug");
  }

  /** "Add a docstring" on the canonical solution with the problem's docstring taken out. */
  public static Optional<EditTask> docstring(Problem p) {
    return withoutDocstring(p.prompt(), p.entryPoint())
        .map(
            prompt ->
                of(
                    p.taskId() + " docstring",
                    p,
                    prompt + p.canonicalSolution(),
                    "add a docstring"));
  }

  private static EditTask of(String id, Problem p, String file, String instruction) {
    List<String> lines = FimTask.lines(file);
    int def = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("def " + p.entryPoint() + "(")) {
        def = i;
      }
    }
    return new EditTask(id, p, file, def + 1, lines.size(), instruction);
  }

  /** The text before the selected function, which an edit must leave byte for byte. */
  public String outside() {
    return String.join("", FimTask.lines(file).subList(0, firstLine - 1));
  }

  /** The prompt without the entry point's docstring, if it has one that can be cut cleanly. */
  static Optional<String> withoutDocstring(String prompt, String entryPoint) {
    List<String> lines = FimTask.lines(prompt);
    int def = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("def " + entryPoint + "(")) {
        def = i;
      }
    }
    if (def < 0) {
      return Optional.empty();
    }
    int body = def;
    while (body < lines.size() && !lines.get(body).stripTrailing().endsWith(":")) {
      body++;
    }
    body++;
    if (body >= lines.size()) {
      return Optional.empty();
    }
    String open = lines.get(body).strip();
    String quote = open.startsWith("\"\"\"") ? "\"\"\"" : open.startsWith("'''") ? "'''" : null;
    if (quote == null) {
      return Optional.empty();
    }
    int end = body;
    String first = open.substring(3);
    if (!first.contains(quote)) {
      end++;
      while (end < lines.size() && !lines.get(end).contains(quote)) {
        end++;
      }
    }
    if (end >= lines.size() || !lines.get(end).stripTrailing().endsWith(quote)) {
      return Optional.empty();
    }
    return Optional.of(
        String.join("", lines.subList(0, body))
            + String.join("", lines.subList(end + 1, lines.size())));
  }

  /**
   * A Python program that exits 0 when {@code after} has a docstring on the entry point and the
   * same code as {@code before} once every docstring is removed from both trees.
   */
  public String docstringCheck(String after) {
    return "import ast, sys\n"
        + "before = "
        + new JsonPrimitive(file)
        + "\nafter = "
        + new JsonPrimitive(after)
        + "\nname = "
        + new JsonPrimitive(problem.entryPoint())
        + "\n"
        + """
        def code(tree):
            for n in ast.walk(tree):
                body = getattr(n, "body", None)
                if (isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                        and body and isinstance(body[0], ast.Expr)
                        and isinstance(body[0].value, ast.Constant)
                        and isinstance(body[0].value.value, str)):
                    n.body = body[1:] or [ast.Pass()]
            return ast.dump(tree)
        try:
            tree = ast.parse(after)
        except SyntaxError as e:
            sys.exit("the edited file does not parse: " + str(e.msg))
        found = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name]
        if not found or not ast.get_docstring(found[-1]):
            sys.exit("no docstring was added")
        if code(ast.parse(before)) != code(tree):
            sys.exit("the code changed, not only the docstring")
        """;
  }
}
