package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.engine.store.CatalogEntry;
import dev.cromwell.engine.store.ModelStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.junit.jupiter.api.Test;

/**
 * The editor path on real weights: the LSP server, started as editors start it, loads
 * SmolLM2-135M-Instruct by its catalogue name from the model store and completes a Python body over
 * a real pipe. (bin/test pulls the model; the test fails, not skips, without it.)
 */
class RealModelLspTest {
  static final String NAME = "smollm2-135m-instruct";

  @Test
  void completesAFunctionBodyWithTheRealModel() throws Exception {
    ModelStore store = ModelStore.fromEnvironment();
    CatalogEntry smol = store.catalog().require(NAME);
    assertTrue(
        store.installed(smol),
        "the real model is missing: "
            + store.path(smol)
            + " (get it with: bin/cromwell pull "
            + NAME
            + ")");
    JsonObject settings = new JsonObject();
    settings.addProperty("model", NAME); // a name, resolved from the store
    settings.addProperty("threads", 2);
    settings.addProperty("loadMode", "mmap");
    settings.addProperty("debounceMs", 0);
    settings.addProperty("timeLimitMs", 60_000);
    ServerConfig config = ServerConfig.defaults();
    try (LspHarness h = new LspHarness(CromwellLanguageServer.withModels(config))) {
      h.initialize(settings, null, null);
      Map<String, Object> ready = ModelDownloadLspTest.await(h, "ready");
      assertEquals("PREFIX_ONLY", ready.get("fimFormat"));
      String uri = "untitled:add.py";
      LspServerTest.open(h, uri, "python", "def add(a, b):\n    return ");
      List<InlineCompletionItem> items =
          LspServerTest.inline(h, uri, 1, 11).get(120, TimeUnit.SECONDS);
      assertEquals(1, items.size(), "one suggestion");
      String text = items.get(0).getInsertText().getLeft();
      System.out.println("smollm2 suggests after \"return \": " + text);
      // Not just "contains": SmolLM2 once answered "10 + a + b" here, which contains it. The
      // suggestion is exactly the sum, ending the line.
      assertEquals("a + b", text.strip(), "suggestion: " + text);
    }
  }
}
