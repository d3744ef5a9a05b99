package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cromwell.engine.RealModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, finding 1: an editor that closes its pipe while an edit and a completion are being
 * generated (Neovim's {@code :qa} during "add a docstring"). The server used to die with SIGSEGV,
 * exit 134 and write an hs_err file into the project. Real model, real process, real pipe; CI runs
 * {@value #CI_RUNS} rounds, {@code -Dcromwell.closeRuns=50} is the benchmark run.
 */
@Timeout(600)
class EditorClosesMidGenerationTest {
  static final int CI_RUNS = 3;

  @TempDir Path project;

  @Test
  void closingThePipeMidGenerationNeverCrashesTheServer() throws Exception {
    int runs = Integer.getInteger("cromwell.closeRuns", CI_RUNS);
    Random random = new Random(Long.getLong("cromwell.closeSeed", 18));
    Path source = project.resolve("fib.py");
    String text =
        "def fibonacci(n):\n    if n < 2:\n        return n\n"
            + "    return fibonacci(n - 1) + fibonacci(n - 2)\n\n\ndef main():\n    print(";
    Files.writeString(source, text);
    for (int run = 0; run < runs; run++) {
      Path stderr = project.resolve("stderr-" + run + ".txt");
      try (LspProcess lsp = new LspProcess(project, stderr)) {
        JsonObject init =
            JsonParser.parseString(
                    "{\"processId\":null,\"capabilities\":{},\"rootUri\":null,"
                        + "\"initializationOptions\":{\"threads\":2,\"debounceMs\":0,"
                        + "\"maxTokens\":256}}")
                .getAsJsonObject();
        init.getAsJsonObject("initializationOptions")
            .addProperty("model", RealModels.smollm2().toString());
        lsp.answer(lsp.request("initialize", init), 60);
        lsp.notify("initialized", new JsonObject());
        awaitReady(lsp);
        String uri = source.toUri().toString();
        JsonObject open = new JsonObject();
        JsonObject doc = new JsonObject();
        doc.addProperty("uri", uri);
        doc.addProperty("languageId", "python");
        doc.addProperty("version", 1);
        doc.addProperty("text", text);
        open.add("textDocument", doc);
        lsp.notify("textDocument/didOpen", open);
        JsonObject edit =
            JsonParser.parseString(
                    "{\"command\":\"cromwell.edit\",\"arguments\":[{\"uri\":\""
                        + uri
                        + "\",\"range\":{\"start\":{\"line\":0,\"character\":0},"
                        + "\"end\":{\"line\":4,\"character\":0}},"
                        + "\"instruction\":\"add a docstring\"}]}")
                .getAsJsonObject();
        lsp.request("workspace/executeCommand", edit);
        lsp.request(
            "textDocument/completion",
            JsonParser.parseString(
                "{\"textDocument\":{\"uri\":\""
                    + uri
                    + "\"},\"position\":{\"line\":7,\"character\":10}}"));
        int pause = 50 + random.nextInt(1500);
        Thread.sleep(pause); // in the prompt or in the decode loop
        long closed = System.nanoTime();
        lsp.closeInput();
        assertTrue(lsp.process.waitFor(60, TimeUnit.SECONDS), "the server did not exit");
        long exitMs = (System.nanoTime() - closed) / 1_000_000;
        int code = lsp.process.exitValue();
        String err = Files.readString(stderr);
        assertTrue(code == 0 || code == 1, "run " + run + ": exit " + code + "\n" + err);
        assertFalse(err.contains("SIGSEGV") || err.contains("fatal error"), err);
        // One line per run, so that a benchmark run's log shows what each round did.
        System.out.println(
            "close run "
                + (run + 1)
                + "/"
                + runs
                + ": pipe closed after "
                + pause
                + " ms, exit "
                + code
                + " after "
                + exitMs
                + " ms");
      }
      try (Stream<Path> files = Files.list(project)) {
        assertEquals(
            0,
            files.filter(p -> p.getFileName().toString().startsWith("hs_err")).count(),
            "a crash report was written into the project");
      }
    }
  }

  private static void awaitReady(LspProcess lsp) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject status = lsp.answer(lsp.request("cromwell/status", new JsonArray()), 30);
      String state = status.getAsJsonObject("result").get("modelState").getAsString();
      if (state.equals("ready")) {
        return;
      }
      assertFalse(state.startsWith("failed"), state);
      Thread.sleep(100);
    }
    throw new AssertionError("the model never became ready");
  }
}
