package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.protocol.edit.DocOnlyInstruction;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionContext;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextDocumentEdit;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextEdit;
import org.junit.jupiter.api.Test;

class LspEditsTest {
  static final String TEXT = "import math\n\ndef area(r):\n    return 3.14 * r * r\n";

  static List<CodeAction> actions(LspHarness h, String uri, Range range) throws Exception {
    var params =
        new CodeActionParams(
            new TextDocumentIdentifier(uri), range, new CodeActionContext(List.of()));
    return h.server.getTextDocumentService().codeAction(params).get(10, TimeUnit.SECONDS).stream()
        .map(e -> e.getRight())
        .toList();
  }

  @Test
  void listingActionsRunsNothingAndResolvingGivesAVersionedMinimalEdit() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    stub.editAnswer = "```python\n    return math.pi * r * r\n```\n";
    try (LspHarness h = new LspHarness(LspServerTest.config(0), c -> stub)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      LspServerTest.open(h, "untitled:geo.py", "python", TEXT);
      List<CodeAction> listed =
          actions(h, "untitled:geo.py", new Range(new Position(3, 0), new Position(4, 0)));
      assertTrue(listed.size() >= 2, listed.toString());
      assertEquals(0, stub.editCalls.get(), "listing never runs the model");
      CodeAction handling =
          listed.stream()
              .filter(a -> a.getTitle().contains("error handling"))
              .findFirst()
              .orElseThrow();
      CodeAction resolved =
          h.server.getTextDocumentService().resolveCodeAction(handling).get(10, TimeUnit.SECONDS);
      assertEquals(1, stub.editCalls.get());
      TextDocumentEdit edit = resolved.getEdit().getDocumentChanges().get(0).getLeft();
      assertEquals(1, edit.getTextDocument().getVersion());
      TextEdit only = edit.getEdits().get(0).getLeft();
      assertEquals(1, edit.getEdits().size());
      assertEquals(
          new Range(new Position(3, 11), new Position(3, 15)),
          only.getRange(),
          "just the changed characters");
      assertEquals("math.pi", only.getNewText());
    }
  }

  @Test
  void theDocstringActionTakesOnlyTheAnswersDocumentation() throws Exception {
    for (var action : LspEdits.BUILT_IN.entrySet()) {
      if (action.getKey().contains("docstring")) {
        assertTrue(
            DocOnlyInstruction.accepts(action.getValue()),
            action.getKey() + " must reach the documentation-only path: " + action.getValue());
      }
    }
    // The answer documents the function and also "fixes" its constant: only the docstring lands,
    // every code line keeps its bytes.
    StubCompleter stub = new StubCompleter("x");
    stub.editAnswer =
        "```python\ndef area(r):\n    \"\"\"The area of a circle of radius r.\"\"\"\n"
            + "    return math.pi * r * r\n```\n";
    try (LspHarness h = new LspHarness(LspServerTest.config(0), c -> stub)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      LspServerTest.open(h, "untitled:geo.py", "python", TEXT);
      CodeAction docstring =
          actions(h, "untitled:geo.py", new Range(new Position(2, 0), new Position(4, 0))).stream()
              .filter(a -> a.getTitle().contains("docstring"))
              .findFirst()
              .orElseThrow();
      CodeAction resolved =
          h.server.getTextDocumentService().resolveCodeAction(docstring).get(10, TimeUnit.SECONDS);
      List<TextEdit> edits =
          resolved.getEdit().getDocumentChanges().get(0).getLeft().getEdits().stream()
              .map(e -> e.getLeft())
              .toList();
      assertEquals(1, edits.size(), edits.toString());
      assertEquals(new Position(3, 0), edits.get(0).getRange().getStart());
      assertEquals(
          "    \"\"\"The area of a circle of radius r.\"\"\"\n", edits.get(0).getNewText());
    }
  }

  @Test
  void theDocstringActionIsOfferedOnlyWhereItCanRun() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    stub.editAnswer =
        "```python\ndef area(r):\n    \"\"\"The area.\"\"\"\n    return 3.14 * r * r\n```\n";
    try (LspHarness h = new LspHarness(LspServerTest.config(0), c -> stub)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      LspServerTest.open(h, "untitled:geo.py", "python", TEXT);
      LspServerTest.open(h, "untitled:Untitled-1", "python", TEXT);
      LspServerTest.open(h, "untitled:notes.rb", "ruby", "def area(r)\n  3.14 * r * r\nend\n");
      Range function = new Range(new Position(2, 0), new Position(4, 0));
      Range body = new Range(new Position(3, 0), new Position(4, 0));
      assertTrue(titles(h, "untitled:geo.py", function).contains("Cromwell: add a docstring"));
      // Inside a body, or in a language the documentation-only edit does not know, it would be
      // refused: not offered; the other actions are.
      List<String> inBody = titles(h, "untitled:geo.py", body);
      assertFalse(inBody.contains("Cromwell: add a docstring"), inBody.toString());
      assertTrue(inBody.contains("Cromwell: add error handling"), inBody.toString());
      List<String> ruby =
          titles(h, "untitled:notes.rb", new Range(new Position(0, 0), new Position(3, 0)));
      assertFalse(ruby.contains("Cromwell: add a docstring"), ruby.toString());
      // An unsaved buffer is known by its language id.
      CodeAction docstring =
          actions(h, "untitled:Untitled-1", function).stream()
              .filter(a -> a.getTitle().contains("docstring"))
              .findFirst()
              .orElseThrow();
      CodeAction resolved =
          h.server.getTextDocumentService().resolveCodeAction(docstring).get(10, TimeUnit.SECONDS);
      assertEquals(
          "    \"\"\"The area.\"\"\"\n",
          resolved
              .getEdit()
              .getDocumentChanges()
              .get(0)
              .getLeft()
              .getEdits()
              .get(0)
              .getLeft()
              .getNewText());
    }
  }

  @Test
  void anEditForABufferWithoutAFileNameIsRefusedBeforeTheModelRuns() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    stub.editAnswer = "```python\n    return math.pi * r * r\n```\n";
    try (LspHarness h = new LspHarness(LspServerTest.config(0), c -> stub)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      // Neovim's unnamed buffer.
      LspServerTest.open(h, "file://", "python", TEXT);
      CodeAction handling =
          actions(h, "file://", new Range(new Position(3, 0), new Position(4, 0))).stream()
              .filter(a -> a.getTitle().contains("error handling"))
              .findFirst()
              .orElseThrow();
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  h.server
                      .getTextDocumentService()
                      .resolveCodeAction(handling)
                      .get(10, TimeUnit.SECONDS));
      assertTrue(e.getMessage().contains("no file name"), e.getMessage());
      assertEquals(0, stub.editCalls.get(), "refused before the model runs");
    }
  }

  @Test
  void anEditForADocumentNeverOpenedSaysToReopenIt() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    try (LspHarness h = new LspHarness(LspServerTest.config(0), c -> stub)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      // What Neovim sends after ":w saved.py" of an unnamed buffer: a name it never opened.
      JsonObject args = new JsonObject();
      args.addProperty("uri", "file:///w/saved.py");
      args.add(
          "range",
          new com.google.gson.Gson().toJsonTree(new Range(new Position(0, 0), new Position(1, 0))));
      args.addProperty("instruction", "add a docstring");
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  h.server
                      .getWorkspaceService()
                      .executeCommand(new ExecuteCommandParams("cromwell.edit", List.of(args)))
                      .get(10, TimeUnit.SECONDS));
      assertTrue(
          e.getMessage().contains("file:///w/saved.py is not open")
              && e.getMessage().contains("reopen it"),
          e.getMessage());
      assertEquals(0, stub.editCalls.get());
    }
  }

  @Test
  void anEditTheEditorCancelsStopsGeneratingAndIsNeverApplied() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    stub.editAnswer = "    return math.pi * r * r\n";
    stub.editDelayMillis = 5_000;
    try (LspHarness h = new LspHarness(LspServerTest.config(0), c -> stub)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      LspServerTest.open(h, "untitled:geo.py", "python", TEXT);
      JsonObject args = usePiOnLine4();
      var pending =
          h.server
              .getWorkspaceService()
              .executeCommand(new ExecuteCommandParams("cromwell.edit", List.of(args)));
      Thread.sleep(300); // generating
      pending.cancel(true); // what LSP4J does on $/cancelRequest
      long deadline = System.currentTimeMillis() + 3_000;
      while (stub.editsCancelled.get() == 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(1, stub.editsCancelled.get(), "the generation saw the cancellation");
      Thread.sleep(300);
      assertEquals(0, h.client.applied.size(), "nothing is sent to apply after a cancel");
      // A resolved action is cancelled the same way.
      CodeAction handling =
          actions(h, "untitled:geo.py", new Range(new Position(3, 0), new Position(4, 0))).stream()
              .filter(a -> a.getTitle().contains("error handling"))
              .findFirst()
              .orElseThrow();
      var resolving = h.server.getTextDocumentService().resolveCodeAction(handling);
      Thread.sleep(300);
      resolving.cancel(true);
      deadline = System.currentTimeMillis() + 3_000;
      while (stub.editsCancelled.get() < 2 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(2, stub.editsCancelled.get());
    }
  }

  @Test
  void anEditRunningAtShutdownStopsSoTheServerExitsAtOnce() throws Exception {
    // An editor that quits mid-edit (Neovim's :qa during "add a docstring") has nobody to answer:
    // the shutdown cancels the edit instead of waiting up to 5 s for it.
    StubCompleter stub = new StubCompleter("x");
    stub.editAnswer = "    return math.pi * r * r\n";
    stub.editDelayMillis = 8_000;
    LspHarness h = new LspHarness(LspServerTest.config(0), c -> stub);
    long closing;
    try (h) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      LspServerTest.open(h, "untitled:geo.py", "python", TEXT);
      JsonObject args = usePiOnLine4();
      h.server
          .getWorkspaceService()
          .executeCommand(new ExecuteCommandParams("cromwell.edit", List.of(args)));
      long deadline = System.currentTimeMillis() + 3_000;
      while (stub.editCalls.get() == 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(1, stub.editCalls.get(), "the edit is generating");
      closing = System.nanoTime();
    }
    long closeMs = (System.nanoTime() - closing) / 1_000_000;
    assertEquals(1, stub.editsCancelled.get(), "the generation saw the shutdown");
    assertTrue(closeMs < 4_000, "shutdown and exit took " + closeMs + " ms");
    assertEquals(0, h.client.applied.size(), "nothing is sent to apply after the shutdown");
    // Nor is the user warned that the edit was refused: nobody waits for it.
    assertEquals(
        List.of(),
        h.client.shown.stream().map(m -> m.getMessage()).filter(m -> m.contains("edit")).toList());
  }

  /** The cromwell.edit arguments that ask geo.py's return line to use math.pi. */
  private static JsonObject usePiOnLine4() {
    JsonObject args = new JsonObject();
    args.addProperty("uri", "untitled:geo.py");
    args.add(
        "range",
        new com.google.gson.Gson().toJsonTree(new Range(new Position(3, 0), new Position(3, 23))));
    args.addProperty("instruction", "use math.pi");
    return args;
  }

  private static List<String> titles(LspHarness h, String uri, Range range) throws Exception {
    return actions(h, uri, range).stream().map(CodeAction::getTitle).toList();
  }

  @Test
  void anEditComputedForAnOlderVersionIsRefusedNeverApplied() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    stub.editAnswer = "    return math.pi * r * r\n";
    stub.editDelayMillis = 600;
    try (LspHarness h = new LspHarness(LspServerTest.config(0), c -> stub)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      LspServerTest.open(h, "untitled:geo.py", "python", TEXT);
      CodeAction action =
          actions(h, "untitled:geo.py", new Range(new Position(3, 0), new Position(3, 10))).stream()
              .filter(a -> a.getTitle().contains("error handling"))
              .findFirst()
              .orElseThrow();
      var pending = h.server.getTextDocumentService().resolveCodeAction(action);
      Thread.sleep(200); // generating
      LspServerTest.edit(h, "untitled:geo.py", 2, 0, 0, 0, "# edited meanwhile\n");
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
      assertTrue(e.getMessage().contains("changed while the edit was generated"), e.getMessage());
      // Resolving the old action again is refused before any generation.
      int calls = stub.editCalls.get();
      ExecutionException again =
          assertThrows(
              ExecutionException.class,
              () ->
                  h.server
                      .getTextDocumentService()
                      .resolveCodeAction(action)
                      .get(10, TimeUnit.SECONDS));
      assertTrue(again.getMessage().contains("document changed"), again.getMessage());
      assertEquals(calls, stub.editCalls.get());
    }
  }

  @Test
  void theEditCommandAsksTheClientToApplyTheEdit() throws Exception {
    StubCompleter stub = new StubCompleter("x");
    stub.editAnswer =
        "<<<<<<< SEARCH\n    return 3.14 * r * r\n=======\n    return math.pi * r ** 2\n>>>>>>> REPLACE\n";
    try (LspHarness h = new LspHarness(LspServerTest.config(0), c -> stub)) {
      h.initialize(null, null, null);
      h.awaitStatus("modelState", "ready");
      LspServerTest.open(h, "untitled:geo.py", "python", TEXT);
      JsonObject args = new JsonObject();
      args.addProperty("uri", "untitled:geo.py");
      args.add(
          "range",
          new com.google.gson.Gson()
              .toJsonTree(new Range(new Position(2, 0), new Position(3, 23))));
      args.addProperty("instruction", "use math.pi and **");
      h.server
          .getWorkspaceService()
          .executeCommand(new ExecuteCommandParams("cromwell.edit", List.of(args)))
          .get(10, TimeUnit.SECONDS);
      assertEquals(1, h.client.applied.size());
      TextDocumentEdit edit =
          h.client.applied.get(0).getEdit().getDocumentChanges().get(0).getLeft();
      StringBuilder newTexts = new StringBuilder();
      edit.getEdits().forEach(e -> newTexts.append(e.getLeft().getNewText()));
      assertTrue(
          newTexts.toString().contains("math.pi") && newTexts.toString().contains("**"),
          newTexts.toString());
    }
  }
}
