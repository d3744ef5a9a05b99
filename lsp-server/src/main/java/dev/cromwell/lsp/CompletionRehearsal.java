package dev.cromwell.lsp;

import dev.cromwell.context.ContextBudget;
import dev.cromwell.context.IndexOptions;
import dev.cromwell.context.IndexProgress;
import dev.cromwell.context.RelevanceWeights;
import dev.cromwell.context.TokenCounter;
import dev.cromwell.context.WorkspaceIndex;
import dev.cromwell.engine.generate.Cancellation;
import dev.cromwell.protocol.TextDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One synthetic editor request through the whole completion path ({@link CompletionLane#answer}): a
 * small workspace of two Python files written to a temporary folder and indexed, the index's plan
 * ({@link ContextBudget#planCompletion}), the prompt, the check of its uncached part, the deadline,
 * generation and post-processing, with the server's default settings. The model's warm-up runs it
 * last, so that the user's first request after ready finds that code loaded and partly compiled
 * (the first plan took 140–240 ms idle, 4–13 ms warm: part of that is this code, the rest the
 * index's caches, which {@link PlanAhead} fills). Like the rest of the warm-up it answers to the
 * load's supersession ({@link ModelLoader#supersededCheck()}): the request is dropped unrun, or its
 * generation cancelled, once a newer configuration wants another model, just as the lane drops or
 * cancels a user's request that a newer one replaced.
 */
final class CompletionRehearsal {
  /** The synthetic document's name in its temporary workspace. */
  static final String FILE = "report.py";

  private static final String STATS =
      """
      import math


      def mean(values):
          \"\"\"The arithmetic mean of the values.\"\"\"
          return sum(values) / len(values)


      def spread(values):
          \"\"\"The standard deviation of the values.\"\"\"
          m = mean(values)
          return math.sqrt(sum((v - m) ** 2 for v in values) / len(values))
      """;

  private static final String BEFORE =
      """
      from stats import mean, spread


      def summary(rows):
          \"\"\"One line about the rows' values.\"\"\"
          values = [row["value"] for row in rows]
          average = \
      """;

  private static final String AFTER =
      """

          return f"{len(values)} rows, mean {average:.2f}"
      """;

  private CompletionRehearsal() {}

  /**
   * Runs the request on {@code completer} and returns what became of it; the temporary workspace
   * and the document's cached state are gone afterwards.
   */
  static CompletionLane.Outcome run(Completer completer, BooleanSupplier superseded) {
    return run(completer, ModelRuntime.counterOf(completer), superseded);
  }

  /**
   * {@link #run(Completer, BooleanSupplier)}, with the index's plan counting prompt tokens with
   * {@code counter}.
   */
  static CompletionLane.Outcome run(
      Completer completer, TokenCounter counter, BooleanSupplier superseded) {
    Path root;
    try {
      root = Files.createTempDirectory("cromwell-warmup");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path file = root.resolve(FILE);
    String uri = file.toUri().toString();
    try {
      Files.writeString(root.resolve("stats.py"), STATS, StandardCharsets.UTF_8);
      String text = BEFORE + AFTER;
      Files.writeString(file, text, StandardCharsets.UTF_8);
      WorkspaceIndex index = new WorkspaceIndex(List.of(root), IndexOptions.defaults());
      index.indexAll(IndexProgress.NONE);
      index.openDocument(file, text);
      index.recordVisit(file);
      ContextBudget budget = new ContextBudget(index, counter, RelevanceWeights.defaults());
      OpenDocument document = new OpenDocument(uri, file, "python", 1, new TextDocument(text));
      if (superseded.getAsBoolean()) {
        return new CompletionLane.Outcome.Superseded(); // as the lane drops a replaced request
      }
      long now = System.nanoTime();
      CompletionLane.Job job =
          new CompletionLane.Job(
              document,
              BEFORE.length(),
              Cancellation.alsoWhen(superseded),
              () -> !superseded.getAsBoolean(),
              now,
              now,
              true);
      return CompletionLane.answer(
              job, completer, ServerConfig.defaults(), budget, index, System.nanoTime())
          .outcome();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      completer.forget(uri);
      completer.forget(CompletionLane.nearKey(uri));
      deleteQuietly(root);
    }
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }
}
