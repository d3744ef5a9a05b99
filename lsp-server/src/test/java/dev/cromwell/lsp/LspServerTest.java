package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InlineCompletionContext;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.eclipse.lsp4j.InlineCompletionParams;
import org.eclipse.lsp4j.InlineCompletionTriggerKind;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LspServerTest {
  @TempDir Path dir;

  static ServerConfig config(int debounce) {
    return new ServerConfig(
        Path.of("stub.gguf"),
        1,
        32,
        debounce,
        512,
        1000,
        java.util.Set.of(),
        1L << 28,
        dev.cromwell.engine.gguf.LoadMode.MMAP,
        dev.cromwell.engine.model.KvCache.Precision.F32,
        true,
        true);
  }

  static JsonObject options(String... pairs) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < pairs.length; i += 2) {
      o.addProperty(pairs[i], pairs[i + 1]);
    }
    return o;
  }

  static void open(LspHarness h, String uri, String language, String text) {
    h.server
        .getTextDocumentService()
        .didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, language, 1, text)));
  }

  static void edit(LspHarness h, String uri, int version, int line, int from, int to, String text) {
    TextDocumentContentChangeEvent change =
        new TextDocumentContentChangeEvent(
            new Range(new Position(line, from), new Position(line, to)), text);
    h.server
        .getTextDocumentService()
        .didChange(
            new DidChangeTextDocumentParams(
                new VersionedTextDocumentIdentifier(uri, version), List.of(change)));
  }

  static CompletableFuture<List<InlineCompletionItem>> inline(
      LspHarness h, String uri, int line, int column) {
    InlineCompletionParams p =
        new InlineCompletionParams(
            new TextDocumentIdentifier(uri),
            new Position(line, column),
            new InlineCompletionContext(InlineCompletionTriggerKind.Automatic));
    return h.server
        .getTextDocumentService()
        .inlineCompletion(p)
        .thenApply(e -> e.getRight().getItems());
  }

  @Test
  void advertisesCapabilitiesAndNegotiatesEncodings() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    try (LspHarness h = new LspHarness(config(0), c -> stub)) {
      InitializeResult r = h.initialize(null, List.of("utf-8", "utf-16"), null);
      var caps = r.getCapabilities();
      assertTrue(caps.getInlineCompletionProvider().getLeft());
      assertTrue(caps.getCompletionProvider() != null);
      assertEquals(
          org.eclipse.lsp4j.TextDocumentSyncKind.Incremental, caps.getTextDocumentSync().getLeft());
      assertEquals(
          List.of(CromwellLanguageServer.ACCEPTED_COMMAND, "cromwell.edit"),
          caps.getExecuteCommandProvider().getCommands());
      assertEquals("utf-8", caps.getPositionEncoding());
    }
    try (LspHarness h = new LspHarness(config(0), c -> stub)) {
      assertEquals(
          "utf-16", h.initialize(null, null, null).getCapabilities().getPositionEncoding());
    }
  }

  @Test
  void incrementalEditsWithEmojiAndCjkKeepPositionsRightInUtf16AndUtf8() throws Exception {
    for (String encoding : List.of("utf-16", "utf-8")) {
      StubCompleter stub = new StubCompleter("()");
      try (LspHarness h = new LspHarness(config(0), c -> stub)) {
        h.initialize(null, List.of(encoding), null);
        h.awaitStatus("modelState", "ready");
        String uri = "untitled:emoji-" + encoding;
        open(h, uri, "python", "s = '😀中'\nprint(s)\n");
        // Replace "中" (after the emoji) by "文字": the emoji is 2 UTF-16 units, 4 UTF-8 bytes.
        int start = encoding.equals("utf-16") ? 7 : 9;
        int end = encoding.equals("utf-16") ? 8 : 12;
        edit(h, uri, 2, 0, start, end, "文字");
        // Cursor right after "print" on line 1.
        List<InlineCompletionItem> items = inline(h, uri, 1, 5).get(10, TimeUnit.SECONDS);
        String prompt = stub.prompts.get(stub.prompts.size() - 1);
        // The typed part of the line seeds the middle; the prefix ends at the line start.
        assertTrue(
            prompt.contains("s = '😀文字'\n<|fim_suffix|>(s)")
                && prompt.endsWith("<|fim_middle|>print"),
            encoding + ": " + prompt);
        assertEquals(1, items.size());
      }
    }
  }

  @Test
  void suggestionsAreTrimmedAndReplaceAutoClosedBrackets() throws Exception {
    StubCompleter stub = new StubCompleter("a, b)\nmore");
    try (LspHarness h = new LspHarness(config(0), c -> stub)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      open(h, "untitled:a.py", "python", "x = max()\n");
      List<InlineCompletionItem> items = inline(h, "untitled:a.py", 0, 8).get(10, TimeUnit.SECONDS);
      assertEquals(1, items.size());
      InlineCompletionItem item = items.get(0);
      assertEquals("a, b)", item.getInsertText().getLeft(), "single line, closer kept");
      assertEquals(
          new Range(new Position(0, 8), new Position(0, 9)),
          item.getRange(),
          "replaces the auto-closed ')'");
      assertEquals(CromwellLanguageServer.ACCEPTED_COMMAND, item.getCommand().getCommand());

      stub.text = "print(x)";
      open(h, "untitled:b.py", "python", "x = 1\nprint(x)\n");
      assertTrue(
          inline(h, "untitled:b.py", 1, 0).get(10, TimeUnit.SECONDS).isEmpty(),
          "repeats the text after the cursor");

      stub.text = "   \n  ";
      assertTrue(
          inline(h, "untitled:b.py", 2, 0).get(10, TimeUnit.SECONDS).isEmpty(), "whitespace only");

      // Multi-line after a block opener; stops where the block ends.
      stub.text = "\n    return a + b\n\nprint(add(1, 2))";
      open(h, "untitled:c.py", "python", "def add(a, b):\n");
      List<InlineCompletionItem> block =
          inline(h, "untitled:c.py", 0, 14).get(10, TimeUnit.SECONDS);
      assertEquals("\n    return a + b", block.get(0).getInsertText().getLeft());

      // The ordinary completion request gets the same suggestion as a completion item.
      var list =
          h.server
              .getTextDocumentService()
              .completion(
                  new CompletionParams(
                      new TextDocumentIdentifier("untitled:c.py"), new Position(0, 14)))
              .get(10, TimeUnit.SECONDS);
      assertEquals(
          "\n    return a + b",
          list.getRight().getItems().get(0).getTextEdit().getLeft().getNewText());
    }
  }

  @Test
  void newerRequestsSupersedeOlderOnesAndCancelStopsGeneration() throws Exception {
    StubCompleter stub = new StubCompleter("value");
    try (LspHarness h = new LspHarness(config(150), c -> stub)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      open(h, "untitled:s.py", "python", "x = \n");
      CompletableFuture<List<InlineCompletionItem>> first = inline(h, "untitled:s.py", 0, 4);
      CompletableFuture<List<InlineCompletionItem>> second = inline(h, "untitled:s.py", 0, 4);
      assertTrue(first.get(10, TimeUnit.SECONDS).isEmpty(), "superseded");
      assertEquals(1, second.get(10, TimeUnit.SECONDS).size());

      stub.delayMillis = 10_000;
      var request =
          h.server
              .getTextDocumentService()
              .inlineCompletion(
                  new InlineCompletionParams(
                      new TextDocumentIdentifier("untitled:s.py"),
                      new Position(0, 4),
                      new InlineCompletionContext(InlineCompletionTriggerKind.Automatic)));
      Thread.sleep(400); // past the debounce: generation is running
      request.cancel(true); // the client proxy sends $/cancelRequest
      long deadline = System.currentTimeMillis() + 5000;
      while (!stub.sawCancellation && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertTrue(stub.sawCancellation, "generation saw the cancellation");
      Map<String, Object> status = h.server.status().get(10, TimeUnit.SECONDS);
      Map<?, ?> stats = (Map<?, ?>) status.get("stats");
      assertEquals(1.0, stats.get("superseded"), status.toString());
      assertEquals(1.0, stats.get("cancelled"), status.toString());
    }
  }

  @Test
  void requestsBeforeTheModelIsReadyReturnNothingAndConfigurationIsValidated() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    try (LspHarness h =
        new LspHarness(
            config(0),
            c -> {
              try {
                Thread.sleep(700);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return stub;
            })) {
      h.initialize(options("debounceMs", "0", "mystery", "1"), null, null);
      open(h, "untitled:w.py", "python", "x = \n");
      assertTrue(
          inline(h, "untitled:w.py", 0, 4).get(10, TimeUnit.SECONDS).isEmpty(),
          "model still loading");
      h.awaitStatus("modelState", "ready");
      assertEquals(1, inline(h, "untitled:w.py", 0, 4).get(10, TimeUnit.SECONDS).size());
      assertTrue(
          h.client.logged.stream().anyMatch(m -> m.getMessage().contains("mystery")),
          "unknown key logged");
      assertTrue(h.client.progress.size() >= 1, "model loading reported progress");

      JsonObject bad = new JsonObject();
      bad.addProperty("maxTokens", -3);
      h.server.getWorkspaceService().didChangeConfiguration(new DidChangeConfigurationParams(bad));
      long deadline = System.currentTimeMillis() + 5000;
      // The unknown key was shown as a warning already; the invalid value is an error.
      while (h.client.shown.stream().noneMatch(m -> m.getType() == MessageType.Error)
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertTrue(
          h.client.shown.stream()
              .anyMatch(
                  m -> m.getType() == MessageType.Error && m.getMessage().contains("maxTokens")),
          h.client.shown.toString());

      JsonObject off = new JsonObject();
      var langs = new com.google.gson.JsonArray();
      langs.add("python");
      off.add("disabledLanguages", langs);
      h.server.getWorkspaceService().didChangeConfiguration(new DidChangeConfigurationParams(off));
      Thread.sleep(100);
      assertTrue(
          inline(h, "untitled:w.py", 0, 4).get(10, TimeUnit.SECONDS).isEmpty(), "python disabled");
    }
  }

  @Test
  void shutdownAndExitEndTheServerWithCodeZero() throws Exception {
    LspHarness h = new LspHarness(config(0), c -> new StubCompleter("x"));
    h.initialize(null, null, null);
    h.close();
    assertEquals(0, h.exitCode.get(5, TimeUnit.SECONDS));
  }

  @Test
  void workspaceFilesFeedThePrompt() throws Exception {
    Files.writeString(
        dir.resolve("shapes.py"),
        "def area_of_circle(radius):\n    return 3.14159 * radius * radius\n");
    Path main = dir.resolve("main.py");
    Files.writeString(
        main,
        "from shapes import area_of_circle\n\ndef total(radius):\n    return area_of_circle(radius)\n");
    StubCompleter stub = new StubCompleter(" * 2");
    try (LspHarness h = new LspHarness(config(0), c -> stub)) {
      h.initialize(null, null, dir.toUri().toString());
      h.awaitStatus("modelState", "ready");
      h.awaitStatus("indexedFiles", 2.0);
      open(h, main.toUri().toString(), "python", Files.readString(main));
      inline(h, main.toUri().toString(), 3, 33).get(10, TimeUnit.SECONDS);
      String prompt = stub.prompts.get(stub.prompts.size() - 1);
      assertTrue(prompt.startsWith("<|file_sep|>shapes.py\n"), prompt);
      assertTrue(prompt.contains("<|file_sep|>main.py\n<|fim_prefix|>"), prompt);
      assertFalse(prompt.contains("// shapes.py"), "path headers become file separators");
    }
  }

  @Test
  void aRealModelReusesTheDocumentsKvCacheBetweenKeystrokes() throws Exception {
    Path model =
        dev.cromwell.engine.model.TinyModels.qwen2Coder(
            dir, dev.cromwell.kernels.formats.GgmlType.Q8_0);
    ServerConfig cfg =
        new ServerConfig(
            model,
            2,
            8,
            0,
            1024,
            5000,
            java.util.Set.of(),
            1L << 28,
            dev.cromwell.engine.gguf.LoadMode.MMAP,
            dev.cromwell.engine.model.KvCache.Precision.F16,
            true,
            true);
    try (LspHarness h =
        new LspHarness(
            cfg,
            c ->
                new ModelCompleter(
                    dev.cromwell.engine.model.Model.load(
                        c.model(), new dev.cromwell.engine.model.Model.Options(2, 0)),
                    c.memoryBudgetBytes()))) {
      h.initialize(null, null, null);
      Map<String, Object> ready = h.awaitStatus("modelState", "ready");
      assertEquals("QWEN", ready.get("fimFormat"));
      String uri = "untitled:real.py";
      String text = "def fibonacci(n):\n    if n < 2:\n        return n\n    return fib\n";
      open(h, uri, "python", text);
      List<InlineCompletionItem> shown = inline(h, uri, 3, 14).get(30, TimeUnit.SECONDS);
      Map<?, ?> first = (Map<?, ?>) h.server.status().get(10, TimeUnit.SECONDS).get("stats");
      double firstComputed = (Double) first.get("lastComputed");
      assertEquals(0.0, first.get("lastReused"));
      // A character the suggestion does not start with: typing its own start is answered from
      // it without the model (TypedAhead), and this test is about the model's cache.
      boolean startsWithO =
          !shown.isEmpty() && shown.get(0).getInsertText().getLeft().startsWith("o");
      edit(h, uri, 2, 3, 14, 14, startsWithO ? "_" : "o");
      inline(h, uri, 3, 15).get(30, TimeUnit.SECONDS);
      Map<?, ?> second = (Map<?, ?>) h.server.status().get(10, TimeUnit.SECONDS).get("stats");
      double reused = (Double) second.get("lastReused");
      double computed = (Double) second.get("lastComputed");
      assertTrue(
          reused > 0.5 * firstComputed, "most of the prompt comes from the cache: " + second);
      assertTrue(computed < firstComputed / 2, "only the changed tail is computed: " + second);
      assertEquals(1.0, h.server.status().get(10, TimeUnit.SECONDS).get("sessions"));
    }
  }
}
