package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ghost text during an edit, on the real SmolLM2 through the server: an edit runs on the model a
 * pass at a time between the completions' steps, so a suggestion asked for in another document
 * while a 19-line function is rewritten to use defaultdict (SmolLM2 takes seconds) comes while the
 * edit is still under way (it used to wait for the whole edit), and the edit still lands.
 */
@Timeout(600)
class EditBesideCompletionsRealModelTest {
  static final String LONG =
      """
      def summarize(rows):
          totals = {}
          counts = {}
          for row in rows:
              key = row["region"]
              value = row["amount"]
              if key not in totals:
                  totals[key] = 0
                  counts[key] = 0
              totals[key] += value
              counts[key] += 1
          report = []
          for key in sorted(totals):
              mean = totals[key] / counts[key]
              report.append(f"{key}: total {totals[key]}, mean {mean:.2f}, rows {counts[key]}")
          best = max(totals, key=totals.get) if totals else None
          if best is not None:
              report.append(f"best region: {best}")
          return "\\n".join(report)
      """;

  @Test
  void aSuggestionInAnotherDocumentComesWhileAnEditIsGenerated() throws Exception {
    try (LspHarness h = RealModelServer.start("threads", "2", "maxTokens", "16")) {
      String editUri = "untitled:report.py";
      String typedUri = "untitled:add.py";
      LspServerTest.open(h, editUri, "python", LONG);
      LspServerTest.open(h, typedUri, "python", "def add(a, b):\n    return ");
      JsonObject args = new JsonObject();
      args.addProperty("uri", editUri);
      args.add(
          "range",
          new com.google.gson.Gson()
              .toJsonTree(new Range(new Position(0, 0), new Position(19, 0))));
      args.addProperty("instruction", "use collections.defaultdict for totals and counts");
      long start = System.nanoTime();
      CompletableFuture<Object> edit =
          h.server
              .getWorkspaceService()
              .executeCommand(new ExecuteCommandParams("cromwell.edit", List.of(args)));
      Thread.sleep(1_000); // the edit's prompt and first tokens are under way
      assertFalse(edit.isDone(), "the edit ended too soon to tell: " + h.client.shown);
      long asked = System.nanoTime();
      List<InlineCompletionItem> items =
          LspServerTest.inline(h, typedUri, 1, 11).get(300, TimeUnit.SECONDS);
      long answered = System.nanoTime();
      boolean editStillRunning = !edit.isDone();
      edit.get(300, TimeUnit.SECONDS);
      long editDone = System.nanoTime();
      System.out.printf(
          "suggestion during the edit: %.0f ms (%s); edit %.1f s%n",
          (answered - asked) / 1e6,
          items.isEmpty() ? "none" : "\"" + items.get(0).getInsertText().getLeft() + "\"",
          (editDone - start) / 1e9);
      assertTrue(
          editStillRunning,
          String.format(
              "the suggestion came after the edit (%.1f s after it was asked; the edit took %.1f s)",
              (answered - asked) / 1e9, (editDone - start) / 1e9));
      assertEquals(1, items.size(), "a suggestion");
      assertEquals(
          1,
          h.client.applied.size(),
          "the edit was sent to apply: "
              + h.client.shown.stream().map(m -> m.getMessage()).toList());
    }
  }
}
