package dev.cromwell.benchmarks;

import dev.cromwell.context.ContextBudget;
import dev.cromwell.context.IndexOptions;
import dev.cromwell.context.IndexProgress;
import dev.cromwell.context.IndexedFile;
import dev.cromwell.context.RelevanceWeights;
import dev.cromwell.context.TokenCounter;
import dev.cromwell.context.WorkspaceIndex;
import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.tokenizer.TokenizerLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Context benchmark: full index of a large source tree (files/s), incremental update after a
 * one-line change, and prompt-plan construction latency (p50/p95) for cursors in a large file.
 */
@Command(
    name = "context-bench",
    mixinStandardHelpOptions = true,
    description = "Benchmark the workspace index and the prompt planner.")
public final class ContextBench implements Callable<Integer> {
  @Option(
      names = "--tree",
      required = true,
      description = "a large source tree (e.g. the JDK's src.zip unpacked)")
  Path tree;

  @Option(
      names = "--vocab",
      description = "GGUF whose tokenizer counts tokens (default: approximation)")
  Path vocab;

  @Option(
      names = "--plans",
      defaultValue = "300",
      description = "plans to time (default: ${DEFAULT-VALUE})")
  int plans;

  @Option(names = "--budget", defaultValue = "2048")
  int budget;

  @Override
  public Integer call() throws Exception {
    TokenCounter counter = TokenCounter.approximate();
    if (vocab != null) {
      try (GgufFile g = GgufFile.open(vocab)) {
        counter = TokenCounter.of(TokenizerLoader.load(g));
      }
    }
    // Warm-up pass (JIT), then the measured full index.
    new WorkspaceIndex(List.of(tree), IndexOptions.defaults()).indexAll(IndexProgress.NONE);
    WorkspaceIndex index = new WorkspaceIndex(List.of(tree), IndexOptions.defaults());
    long t0 = System.nanoTime();
    int files = index.indexAll(IndexProgress.NONE);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long bytes = index.files().stream().mapToLong(IndexedFile::size).sum();
    System.out.printf(
        "full index: %d files (%.1f MB) in %.2f s = %.0f files/s%n",
        files, bytes / 1e6, seconds, files / seconds);
    long g0 = System.nanoTime();
    index.graph();
    System.out.printf("import graph: %.0f ms%n", (System.nanoTime() - g0) / 1e6);

    // The cursor file: a large file (about 2,000 lines) of the tree.
    IndexedFile target =
        index.files().stream()
            .filter(f -> f.language().isCode())
            .min(
                (a, b) ->
                    Integer.compare(Math.abs(a.lineCount() - 2000), Math.abs(b.lineCount() - 2000)))
            .orElseThrow();
    System.out.printf(
        "cursor file: %s (%d lines), %d files indexed%n",
        target.relativePath(), target.lineCount(), index.files().size());

    ContextBudget planner = new ContextBudget(index, counter, RelevanceWeights.defaults());
    Random rnd = new Random(1);
    int lines = target.lineCount();
    for (int i = 0; i < 50; i++) {
      planner.planCompletion(target.path(), rnd.nextInt(lines), 4, budget);
    }
    double[] millis = new double[plans];
    for (int i = 0; i < plans; i++) {
      int line = rnd.nextInt(lines);
      long s = System.nanoTime();
      planner.planCompletion(target.path(), line, 4, budget);
      millis[i] = (System.nanoTime() - s) / 1e6;
    }
    Arrays.sort(millis);
    System.out.printf(
        "plan (budget %d, %s): p50 %.2f ms, p95 %.2f ms, max %.2f ms over %d cursors%n",
        budget,
        counter.description(),
        millis[plans / 2],
        millis[(int) (plans * 0.95)],
        millis[plans - 1],
        plans);

    // Incremental: a one-line change in the open document, then a new plan.
    String text = target.text();
    List<Double> updates = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String edited = text.replaceFirst("\n", "\n// edit " + i + "\n");
      long s = System.nanoTime();
      index.openDocument(target.path(), edited);
      planner.planCompletion(target.path(), 10, 0, budget);
      updates.add((System.nanoTime() - s) / 1e6);
    }
    updates.sort(null);
    System.out.printf(
        "one-line change + re-plan: p50 %.2f ms, p95 %.2f ms%n", updates.get(50), updates.get(95));
    Path changed = index.files().stream().filter(f -> !f.open()).findFirst().orElseThrow().path();
    long s = System.nanoTime();
    index.fileChanged(changed);
    index.graph();
    System.out.printf(
        "disk change event + graph rebuild: %.1f ms%n", (System.nanoTime() - s) / 1e6);
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ContextBench()).execute(args));
  }
}
