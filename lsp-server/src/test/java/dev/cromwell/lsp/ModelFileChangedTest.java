package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.model.Model;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, finding 5: truncating a mapped model used to leave every later completion unanswered
 * while status said "ready". Now the request that meets the fault fails on its own, the model is
 * taken out of service with a message, status says failed, and later requests are answered.
 */
@Timeout(120)
class ModelFileChangedTest {
  @TempDir Path dir;

  @Test
  void aTruncatedModelFailsCleanlyAndSaysSo() throws Exception {
    Path copy = dir.resolve("model.gguf");
    Files.copy(RealModels.smollm2(), copy);
    try (LspHarness h =
        new LspHarness(
            LspServerTest.config(0),
            cfg -> new ModelCompleter(Model.load(copy, new Model.Options(2, 1024)), 1L << 28))) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      LspServerTest.open(h, "untitled:a.py", "python", "def add(a, b):\n    return \n");
      LspServerTest.inline(h, "untitled:a.py", 1, 11).get(60, TimeUnit.SECONDS);
      try (FileChannel f = FileChannel.open(copy, StandardOpenOption.WRITE)) {
        f.truncate(1 << 20); // keeps the header, drops the weights
      }
      LspServerTest.open(h, "untitled:b.py", "python", "import os\n\ndef main():\n    ");
      try {
        LspServerTest.inline(h, "untitled:b.py", 3, 4).get(60, TimeUnit.SECONDS);
      } catch (ExecutionException refused) {
        // this request met the fault: an error answer is right
      }
      long deadline = System.currentTimeMillis() + 20_000;
      String state = "";
      while (System.currentTimeMillis() < deadline) {
        state = String.valueOf(h.server.status().get(10, TimeUnit.SECONDS).get("modelState"));
        if (state.startsWith("failed")) {
          break;
        }
        Thread.sleep(50);
      }
      assertTrue(state.startsWith("failed") && state.contains("changed on disk"), state);
      assertTrue(
          h.client.shown.stream().anyMatch(m -> m.getMessage().contains("changed on disk")),
          "the user was not told: " + h.client.shown);
      // Later requests are answered (with nothing) instead of hanging.
      assertTrue(
          LspServerTest.inline(h, "untitled:b.py", 3, 4).get(10, TimeUnit.SECONDS).isEmpty());
    }
  }
}
