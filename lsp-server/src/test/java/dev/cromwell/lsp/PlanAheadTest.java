package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.context.ContextBudget;
import dev.cromwell.context.IndexOptions;
import dev.cromwell.context.IndexProgress;
import dev.cromwell.context.PlanPiece;
import dev.cromwell.context.PromptPlan;
import dev.cromwell.context.RelevanceWeights;
import dev.cromwell.context.TokenCounter;
import dev.cromwell.context.WorkspaceIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plans made ahead of a document's first request ({@link PlanAhead}): an open document is planned
 * over the real index (its related file included), a file the index lacks is not.
 */
class PlanAheadTest {
  @TempDir Path root;

  @Test
  void anOpenedDocumentIsPlannedWithItsRelatedFilesAndAnUnindexedOneIsNot() throws Exception {
    Files.writeString(
        root.resolve("stats.py"), "def mean(values):\n    return sum(values) / len(values)\n");
    Path report = root.resolve("report.py");
    Files.writeString(
        report, "from stats import mean\n\n\ndef summary(rows):\n    return mean(rows)\n");
    WorkspaceIndex index = new WorkspaceIndex(List.of(root), IndexOptions.defaults());
    index.indexAll(IndexProgress.NONE);
    ContextBudget budget =
        new ContextBudget(index, TokenCounter.approximate(), RelevanceWeights.defaults());
    try (PlanAhead ahead = new PlanAhead(() -> budget, () -> index, () -> 1536)) {
      Optional<PromptPlan> plan = ahead.opened(report).get(30, TimeUnit.SECONDS);
      assertTrue(plan.isPresent(), "no plan for an open, indexed document");
      assertTrue(
          plan.get().pieces().stream().anyMatch(p -> p.path().endsWith("stats.py")),
          "the related file is not in the plan: " + plan.get().pieces());
      assertTrue(plan.get().piece(PlanPiece.Kind.PREFIX).isPresent());

      assertFalse(
          ahead.opened(root.resolve("missing.py")).get(30, TimeUnit.SECONDS).isPresent(),
          "a file the index does not have was planned");
    }
  }

  @Test
  void aDocumentOpenedBeforeTheWorkspaceIsIndexedIsPlannedOnceItIs() {
    Path file = root.resolve("early.py");
    ModelRuntime runtime = ModelRuntime.serving(ServerConfig.defaults(), new StubCompleter("x"));
    try {
      runtime.documentOpened(
          new OpenDocument(
              file.toUri().toString(),
              file,
              "python",
              1,
              new dev.cromwell.protocol.TextDocument("x = 1\n")));
      assertTrue(
          runtime.planAhead().watches(file),
          "a document opened before the index was never planned ahead (the index's build plans"
              + " only the documents it watches)");
    } finally {
      runtime.close();
    }
  }
}
