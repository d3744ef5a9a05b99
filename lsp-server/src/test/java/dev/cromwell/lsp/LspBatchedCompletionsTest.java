package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.testing.RealModels;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.junit.jupiter.api.Test;

/**
 * Completions of two documents decode together on the real model (SmolLM2 over real JSON-RPC): each
 * answer is the one its document gets alone, and the scheduler's decode steps served both at once
 * (cromwell/status's batch peak), which cannot happen if completions run one after another.
 */
class LspBatchedCompletionsTest {
  // Two documents whose cursors SmolLM2 completes with a few tokens each (the cursor is at the
  // end).
  private static final String AREA = "def area(width, height):\n    return ";
  private static final String LIST = "import os\n\n\ndef list_python_files(path):\n    return ";

  @Test
  void twoDocumentsDecodeTogetherAndAnswerAsTheyDoAlone() throws Exception {
    JsonObject settings = new JsonObject();
    // The store's SmolLM2; a missing model fails the test with how to get it.
    settings.addProperty("model", RealModels.smollm2().toString());
    settings.addProperty("threads", 2);
    settings.addProperty("loadMode", "mmap");
    settings.addProperty("debounceMs", 0);
    settings.addProperty("maxTokens", 24);
    settings.addProperty("timeLimitMs", 60_000);
    try (LspHarness h =
        new LspHarness(CromwellLanguageServer.withModels(ServerConfig.defaults()))) {
      h.initialize(settings, null, null);
      ModelDownloadLspTest.await(h, "ready");

      // Alone: each document's completion with nothing else running.
      String areaAlone = completeAlone(h, "untitled:alone-area.py", AREA);
      String listAlone = completeAlone(h, "untitled:alone-list.py", LIST);
      System.out.println("alone: " + areaAlone + " | " + listAlone);
      assertFalse(areaAlone.isBlank(), "a suggestion for area");
      assertFalse(listAlone.isBlank(), "a suggestion for list_python_files");
      assertEquals(1, batchPeak(h), "completions one after another never share a decode step");

      // Together: fresh documents with the same text, both asked at the same moment.
      LspServerTest.open(h, "untitled:area.py", "python", AREA);
      LspServerTest.open(h, "untitled:list.py", "python", LIST);
      CompletableFuture<List<InlineCompletionItem>> area = atEnd(h, "untitled:area.py", AREA);
      CompletableFuture<List<InlineCompletionItem>> list = atEnd(h, "untitled:list.py", LIST);
      assertEquals(areaAlone, text(area.get(120, TimeUnit.SECONDS)), "area, batched");
      assertEquals(listAlone, text(list.get(120, TimeUnit.SECONDS)), "list, batched");
      assertTrue(
          batchPeak(h) >= 2, "the two completions shared decode steps: peak " + batchPeak(h));
    }
  }

  private static String completeAlone(LspHarness h, String uri, String text) throws Exception {
    LspServerTest.open(h, uri, "python", text);
    return text(atEnd(h, uri, text).get(120, TimeUnit.SECONDS));
  }

  /** A completion at the end of {@code text}, the document {@code uri} holds. */
  private static CompletableFuture<List<InlineCompletionItem>> atEnd(
      LspHarness h, String uri, String text) {
    String[] lines = text.split("\n", -1);
    return LspServerTest.inline(h, uri, lines.length - 1, lines[lines.length - 1].length());
  }

  private static String text(List<InlineCompletionItem> items) {
    assertEquals(1, items.size(), "one suggestion: " + items);
    return items.get(0).getInsertText().getLeft();
  }

  private static int batchPeak(LspHarness h) throws Exception {
    return ((Number) h.server.status().get(10, TimeUnit.SECONDS).get("batchPeak")).intValue();
  }
}
