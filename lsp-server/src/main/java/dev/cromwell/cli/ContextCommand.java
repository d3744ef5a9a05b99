package dev.cromwell.cli;

import com.google.gson.GsonBuilder;
import dev.cromwell.context.ContextBudget;
import dev.cromwell.context.IndexOptions;
import dev.cromwell.context.IndexProgress;
import dev.cromwell.context.PlanPiece;
import dev.cromwell.context.PromptPlan;
import dev.cromwell.context.RelevanceWeights;
import dev.cromwell.context.TokenCounter;
import dev.cromwell.context.WorkspaceIndex;
import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.store.ModelStore;
import dev.cromwell.engine.tokenizer.TokenizerLoader;
import dev.cromwell.lsp.ServerConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "context",
    mixinStandardHelpOptions = true,
    description = {
      "Show what the model would see for a cursor: the prompt plan.",
      "Indexes the workspace (honouring .gitignore), then prints each piece of the plan —",
      "prefix, suffix, snippets of similar code, small related files — with its path, lines,",
      "tokens, score and the reason it was chosen, and the total against the budget."
    })
final class ContextCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      paramLabel = "FILE:LINE[:COLUMN]",
      description = "the cursor; LINE and COLUMN start at 1 (COLUMN defaults to the line's end)")
  String cursor;

  @Option(
      names = "--root",
      paramLabel = "DIR",
      description = "workspace root (default: the git repository around FILE, else its folder)")
  Path root;

  @Option(
      names = "--budget",
      description = "token budget (default: the editor's contextBudget setting's default)")
  Integer budget;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "MODEL",
      description =
          "count tokens with this model's tokenizer (a GGUF file or catalogue name; default: an approximation)")
  String model;

  @Option(names = "--json", description = "print the plan as JSON")
  boolean json;

  @Option(names = "--full", description = "print the text of every piece")
  boolean full;

  @Override
  public Integer call() {
    String[] parts = cursor.split(":");
    int numbers = 0;
    while (numbers < 2
        && parts.length - numbers > 1
        && parts[parts.length - 1 - numbers].matches("\\d+")) {
      numbers++;
    }
    if (numbers == 0) {
      throw new IllegalArgumentException(
          "expected FILE:LINE or FILE:LINE:COLUMN, got \"" + cursor + "\"");
    }
    String pathPart = String.join(":", java.util.Arrays.copyOf(parts, parts.length - numbers));
    int line = Integer.parseInt(parts[parts.length - numbers]);
    int column = numbers == 2 ? Integer.parseInt(parts[parts.length - 1]) - 1 : Integer.MAX_VALUE;
    Path file = Path.of(pathPart).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": file not found");
    }
    if (line < 1) {
      throw new IllegalArgumentException("LINE starts at 1, got " + line);
    }
    int budget = this.budget != null ? this.budget : ServerConfig.defaults().contextBudget();
    if (budget < 1) {
      throw new IllegalArgumentException("--budget must be positive");
    }
    Path workspace = root != null ? root : guessRoot(file);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    WorkspaceIndex index = new WorkspaceIndex(List.of(workspace), IndexOptions.defaults());
    index.indexAll(
        new IndexProgress() {
          @Override
          public void update(int indexed, int skipped, String current) {}

          @Override
          public void done(int indexed, int skipped, long millis) {
            err.printf(
                "indexed %d files (%d skipped) under %s in %d ms%n",
                indexed, skipped, workspace, millis);
            err.flush();
          }
        });
    if (index.file(file).isEmpty()) {
      throw new IllegalArgumentException(
          file + " is not indexed: it is outside " + workspace + ", ignored, binary or too large");
    }
    TokenCounter counter;
    if (model != null) {
      try (GgufFile gguf = GgufFile.open(ModelStore.fromEnvironment().resolve(model))) {
        counter = TokenCounter.of(TokenizerLoader.load(gguf));
      }
    } else {
      counter = TokenCounter.approximate();
    }
    ContextBudget planner = new ContextBudget(index, counter, RelevanceWeights.defaults());
    long start = System.nanoTime();
    PromptPlan plan = planner.planCompletion(file, line - 1, column, budget);
    double millis = (System.nanoTime() - start) / 1e6;
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("target", plan.target());
      doc.put("line", plan.line() + 1);
      doc.put("budget", plan.budget());
      doc.put("totalTokens", plan.totalTokens());
      doc.put("counting", plan.counting());
      doc.put("planMillis", millis);
      doc.put(
          "pieces",
          plan.pieces().stream()
              .map(
                  p -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("kind", p.kind().name().toLowerCase(java.util.Locale.ROOT));
                    m.put("path", p.path());
                    m.put("startLine", p.startLine() + 1);
                    m.put("endLine", p.endLine() + 1);
                    m.put("tokens", p.tokens());
                    m.put("score", p.score());
                    m.put("reason", p.reason());
                    m.put("text", p.text());
                    return m;
                  })
              .toList());
      out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(doc));
    } else {
      out.printf(
          "plan for %s line %d: %d of %d tokens (%s), built in %.1f ms%n",
          plan.target(),
          plan.line() + 1,
          plan.totalTokens(),
          plan.budget(),
          counter.exact() ? plan.counting() : plan.counting() + "; pass --model for exact counts",
          millis);
      for (PlanPiece p : plan.pieces()) {
        out.printf(
            "  %-7s %-40s lines %5d-%-5d %6d tokens  score %6.2f  %s%n",
            p.kind().name().toLowerCase(java.util.Locale.ROOT),
            p.path(),
            p.startLine() + 1,
            p.endLine() + 1,
            p.tokens(),
            p.score(),
            p.reason());
        if (full) {
          out.println(p.text().indent(6));
        }
      }
    }
    out.flush();
    return 0;
  }

  private static Path guessRoot(Path file) {
    for (Path p = file.getParent(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(".git"))) {
        return p;
      }
    }
    return file.getParent();
  }
}
