package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.cromwell.engine.store.Catalog;
import dev.cromwell.engine.store.ModelPuller;
import dev.cromwell.engine.store.ModelStore;
import dev.cromwell.engine.store.PullSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.ProgressParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.WorkDoneProgressBegin;
import org.eclipse.lsp4j.WorkDoneProgressEnd;
import org.eclipse.lsp4j.WorkDoneProgressNotification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What editors met in issue 20, each over a real pipe with a real LSP4J client. */
class EditorFixesTest {
  @TempDir Path dir;

  static final String URI = "untitled:geo.py";
  static final Range BODY = new Range(new Position(3, 0), new Position(4, 0));

  static LspHarness ready(StubCompleter stub, boolean resolveSupport) throws Exception {
    LspHarness h = new LspHarness(LspServerTest.config(0), c -> stub);
    h.resolveSupport = resolveSupport;
    h.initialize(null, null, null);
    h.awaitStatus("modelState", "ready");
    LspServerTest.open(h, URI, "python", LspEditsTest.TEXT);
    return h;
  }

  static StubCompleter editing() {
    StubCompleter stub = new StubCompleter("x");
    stub.editAnswer =
        "<<<<<<< SEARCH\n    return 3.14 * r * r\n=======\n    return math.pi * r * r\n>>>>>>> REPLACE\n";
    return stub;
  }

  static String appliedText(LspHarness h) {
    StringBuilder sb = new StringBuilder();
    h.client.applied.forEach(
        a ->
            a.getEdit()
                .getDocumentChanges()
                .forEach(
                    d -> d.getLeft().getEdits().forEach(e -> sb.append(e.getLeft().getNewText()))));
    return sb.toString();
  }

  @Test
  void theEditCommandTakesOneObjectAndStillTheOldPositionalShape() throws Exception {
    try (LspHarness h = ready(editing(), true)) {
      Object range = new com.google.gson.Gson().toJsonTree(BODY);
      // The old shape: [uri, range, instruction].
      h.server
          .getWorkspaceService()
          .executeCommand(
              new ExecuteCommandParams(
                  "cromwell.edit", List.of(new JsonPrimitive(URI), range, "use math.pi")))
          .get(10, TimeUnit.SECONDS);
      assertEquals(1, h.client.applied.size());
      assertTrue(appliedText(h).contains("math.pi"), appliedText(h));
      // "Edit selection…" carries exactly the object shape, minus the instruction the plugin asks.
      CodeAction ask =
          LspEditsTest.actions(h, URI, BODY).stream()
              .filter(a -> a.getTitle().contains("edit selection"))
              .findFirst()
              .orElseThrow();
      JsonObject args = LspEdits.asJson(ask.getCommand().getArguments().get(0)).deepCopy();
      assertEquals(URI, args.get("uri").getAsString());
      assertFalse(args.has("instruction"));
      args.addProperty("instruction", "use math.pi");
      h.server
          .getWorkspaceService()
          .executeCommand(new ExecuteCommandParams("cromwell.edit", List.of(args)))
          .get(10, TimeUnit.SECONDS);
      assertEquals(2, h.client.applied.size());
      // Without an instruction: one clear message, an error answer, nothing applied.
      var noInstruction =
          h.server
              .getWorkspaceService()
              .executeCommand(
                  new ExecuteCommandParams(
                      "cromwell.edit", List.of(ask.getCommand().getArguments().get(0))));
      assertTrue(
          org.junit.jupiter.api.Assertions.assertThrows(
                  Exception.class, () -> noInstruction.get(10, TimeUnit.SECONDS))
              .getMessage()
              .contains("instruction is empty"));
      assertEquals(2, h.client.applied.size());
    }
  }

  @Test
  void clientsWithoutResolveSupportGetActionsThatCarryTheirCommand() throws Exception {
    StubCompleter stub = editing();
    try (LspHarness h = ready(stub, false)) {
      List<CodeAction> listed = LspEditsTest.actions(h, URI, BODY);
      assertTrue(listed.size() >= 2, listed.toString());
      for (CodeAction a : listed) {
        assertNull(a.getData(), a.getTitle() + " must not need codeAction/resolve");
        assertNotNull(a.getCommand(), a.getTitle());
        assertEquals("cromwell.edit", a.getCommand().getCommand());
      }
      assertEquals(0, stub.editCalls.get(), "listing never runs the model");
      CodeAction handling =
          listed.stream()
              .filter(a -> a.getTitle().contains("error handling"))
              .findFirst()
              .orElseThrow();
      // What eglot does with a chosen action: execute its command.
      h.server
          .getWorkspaceService()
          .executeCommand(
              new ExecuteCommandParams(
                  handling.getCommand().getCommand(), handling.getCommand().getArguments()))
          .get(10, TimeUnit.SECONDS);
      assertEquals(1, h.client.applied.size());
      assertEquals(
          1,
          h.client
              .applied
              .get(0)
              .getEdit()
              .getDocumentChanges()
              .get(0)
              .getLeft()
              .getTextDocument()
              .getVersion(),
          "the edit is pinned to the version the action was listed for");
    }
    try (LspHarness h = ready(editing(), true)) {
      List<CodeAction> listed = LspEditsTest.actions(h, URI, BODY);
      assertTrue(
          listed.stream().anyMatch(a -> a.getData() != null && a.getCommand() == null),
          "clients that resolve get lazy actions");
      // Neovim resolves every action without an edit, "edit selection…" (data null) included:
      // it comes back unchanged, not as -32603, and leaves no progress open.
      CodeAction ask = listed.stream().filter(a -> a.getData() == null).findFirst().orElseThrow();
      CodeAction back =
          h.server.getTextDocumentService().resolveCodeAction(ask).get(10, TimeUnit.SECONDS);
      assertEquals(ask.getTitle(), back.getTitle());
      assertEquals("cromwell.edit", back.getCommand().getCommand());
    }
  }

  @Test
  void progressIsBeginReportEndPerTokenEvenWhenTheJobEndsBeforeTheClientAnswers() throws Exception {
    StubCompleter stub = editing();
    LspHarness h = new LspHarness(LspServerTest.config(0), c -> stub);
    try (h) {
      CompletableFuture<Void> gate = new CompletableFuture<>();
      h.client.progressCreated = gate; // the client is slow to answer create
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready"); // the load job is over ...
      LspServerTest.open(h, URI, "python", LspEditsTest.TEXT);
      CodeAction handling =
          LspEditsTest.actions(h, URI, BODY).stream()
              .filter(a -> a.getTitle().contains("error handling"))
              .findFirst()
              .orElseThrow();
      h.server.getTextDocumentService().resolveCodeAction(handling).get(10, TimeUnit.SECONDS);
      Thread.sleep(200);
      assertTrue(h.client.progress.isEmpty(), "nothing before the client answers create");
      gate.complete(null); // ... and only now does the client answer
      long deadline = System.currentTimeMillis() + 5000;
      while (ends(h) < 2 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      Map<String, List<WorkDoneProgressNotification>> byToken = new LinkedHashMap<>();
      for (ProgressParams p : h.client.progress) {
        byToken
            .computeIfAbsent(p.getToken().getLeft(), k -> new ArrayList<>())
            .add(p.getValue().getLeft());
      }
      assertEquals(2, byToken.size(), "loading and the edit: " + byToken);
      List<String> titles = new ArrayList<>();
      for (var seq : byToken.values()) {
        assertTrue(seq.get(0) instanceof WorkDoneProgressBegin, "begin first: " + seq);
        assertTrue(seq.get(seq.size() - 1) instanceof WorkDoneProgressEnd, "end last: " + seq);
        assertEquals(
            1, seq.stream().filter(n -> n instanceof WorkDoneProgressEnd).count(), "one end");
        titles.add(((WorkDoneProgressBegin) seq.get(0)).getTitle());
      }
      assertTrue(titles.contains("Cromwell: add error handling"), titles.toString());
      titles.forEach(t -> assertFalse(t.contains("Cromwell: Cromwell"), t));
    }
  }

  private static long ends(LspHarness h) {
    return h.client.progress.stream()
        .filter(p -> p.getValue().getLeft() instanceof WorkDoneProgressEnd)
        .count();
  }

  @Test
  void misspeltSettingsAndAMissingModelAreShownNotOnlyLogged() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    ServerConfig none = LspServerTest.config(0).apply(LspServerTest.options("model", "")).config();
    // An empty model store: no model set and the catalogue's default not installed. The user
    // declines the download (the client answers nothing).
    ModelStore empty = new ModelStore(dir.resolve("home"), Catalog.builtIn());
    ModelDownloads downloads =
        new ModelDownloads(
            empty, new ModelPuller(empty, new PullSettings("http://127.0.0.1:1/simple", null)));
    try (LspHarness h = new LspHarness(new CromwellLanguageServer(none, c -> stub, downloads))) {
      h.initialize(LspServerTest.options("modelPath", "/models/x.gguf"), null, null);
      String name = Catalog.builtIn().defaultEntry().name();
      h.awaitStatus(
          "modelState", "none: " + name + " is not installed (cromwell pull " + name + ")");
      List<String> shown = h.client.shown.stream().map(MessageParams::getMessage).toList();
      assertTrue(
          shown.stream().anyMatch(m -> m.contains("\"modelPath\"") && m.contains("\"model\"?")),
          shown.toString());
      assertTrue(
          h.client.asked.stream().anyMatch(m -> m.getMessage().contains("cromwell pull " + name)),
          "the missing model is offered, not only logged: " + h.client.asked);
      h.server
          .getWorkspaceService()
          .didChangeConfiguration(
              new DidChangeConfigurationParams(LspServerTest.options("maxTokns", "10")));
      Thread.sleep(200);
      assertTrue(
          h.client.shown.stream().anyMatch(m -> m.getMessage().contains("\"maxTokens\"?")),
          h.client.shown.toString());
    }
  }

  @Test
  void anEditThatChangesNothingIsSaidNotSentAsAnEmptyApplyEdit() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    stub.editAnswer =
        "<<<<<<< SEARCH\n    return 3.14 * r * r\n=======\n    return 3.14 * r * r\n>>>>>>> REPLACE\n";
    try (LspHarness h = ready(stub, true)) {
      JsonObject args = new JsonObject();
      args.addProperty("uri", URI);
      args.add("range", new com.google.gson.Gson().toJsonTree(BODY));
      args.addProperty("instruction", "use math.pi");
      h.server
          .getWorkspaceService()
          .executeCommand(new ExecuteCommandParams("cromwell.edit", List.of(args)))
          .get(10, TimeUnit.SECONDS);
      assertEquals(0, h.client.applied.size(), "VS Code answers an empty applyEdit applied:false");
      assertTrue(
          h.client.shown.stream().anyMatch(m -> m.getMessage().contains("no change")),
          h.client.shown.toString());
    }
  }

  @Test
  void clientsWithInlineCompletionsAreNotAskedForCompletionItemsToo() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    try (LspHarness plain = new LspHarness(LspServerTest.config(0), c -> stub)) {
      assertNotNull(
          plain.initialize(null, null, null).getCapabilities().getCompletionProvider(),
          "a client without inline completions keeps the completion-item fallback");
    }
    try (LspHarness inline = new LspHarness(LspServerTest.config(0), c -> stub)) {
      inline.inlineCompletion = true;
      var caps = inline.initialize(null, null, null).getCapabilities();
      assertNull(caps.getCompletionProvider(), "no second kind of request to supersede the first");
      assertNotNull(caps.getInlineCompletionProvider());
    }
  }

  @Test
  void everyNamedSettingIsOneTheConfigReads() {
    for (String key : SettingNames.KEYS) {
      assertFalse(
          ServerConfig.defaults().apply(LspServerTest.options(key, "1")).ignored().contains(key),
          key);
    }
    assertEquals("model", SettingNames.nearest("modelPath"));
    assertEquals("debounceMs", SettingNames.nearest("debounce"));
    assertEquals("timeLimitMs", SettingNames.nearest("timelimit"));
  }

  @Test
  void titlesNameCromwellOnce() {
    assertEquals("Cromwell: add a docstring", Titles.cromwell("Cromwell: add a docstring"));
    assertEquals("Cromwell: editing", Titles.cromwell("editing"));
    assertEquals("Cromwell: x", Titles.cromwell("Cromwell: Cromwell: x"));
  }
}
