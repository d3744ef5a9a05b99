package dev.cromwell.lsp;

import com.google.gson.JsonObject;
import dev.cromwell.context.Language;
import dev.cromwell.edit.EditModel;
import dev.cromwell.edit.EditService;
import dev.cromwell.edit.FixStep;
import dev.cromwell.edit.TextEdits;
import dev.cromwell.protocol.edit.EditException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextDocumentEdit;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/**
 * Edits as code actions: listing them costs nothing (no model runs until one is resolved), the
 * result is a versioned {@link TextDocumentEdit} of minimal text edits, and an edit computed for a
 * version the editor has moved past is refused rather than applied.
 */
final class LspEdits {
  static final String EDIT_COMMAND = "cromwell.edit";

  /** Built-in instructions offered on any selection. */
  static final Map<String, String> BUILT_IN =
      Map.of(
          "Cromwell: add a docstring",
              "Add a concise docstring or doc comment to the selected code. Change nothing else.",
          "Cromwell: add error handling",
              "Add error handling to the selected code: validate inputs and handle failures with clear messages. Keep its behaviour otherwise.");

  private final DocumentStore documents;
  private final ModelRuntime runtime;

  LspEdits(DocumentStore documents, ModelRuntime runtime) {
    this.documents = documents;
    this.runtime = runtime;
  }

  /**
   * Actions for a selection or diagnostics; none runs the model yet. A client with {@code
   * resolveSupport} gets actions it resolves to an edit; any other client gets actions that carry
   * the {@code cromwell.edit} command, which applies the edit through {@code workspace/applyEdit}.
   */
  List<Either<Command, CodeAction>> actions(CodeActionParams params, boolean resolveSupported) {
    String uri = params.getTextDocument().getUri();
    var doc = documents.get(uri);
    Completer completer = runtime.completer();
    if (doc.isEmpty() || completer == null || completer.editModel() == null) {
      return List.of();
    }
    int version = doc.get().version();
    Range range = params.getRange();
    List<Either<Command, CodeAction>> actions = new ArrayList<>();
    CodeAction ask = new CodeAction("Cromwell: edit selection…");
    ask.setKind(CodeActionKind.RefactorRewrite);
    // LSP has no prompt box: editor plugins collect the instruction and call cromwell.edit.
    ask.setCommand(
        new Command(
            "Cromwell: edit selection…",
            EDIT_COMMAND,
            List.of(EditCommandArgs.toJson(uri, range, null, null))));
    actions.add(Either.forRight(ask));
    String name = editName(doc.get());
    String text = doc.get().text().text();
    BUILT_IN.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .filter(e -> applies(name, text, range, e.getValue()))
        .forEach(
            e ->
                actions.add(
                    Either.forRight(
                        action(
                            resolveSupported,
                            e.getKey(),
                            CodeActionKind.RefactorRewrite,
                            uri,
                            version,
                            range,
                            e.getValue()))));
    if (params.getContext() != null && params.getContext().getDiagnostics() != null) {
      for (Diagnostic d : params.getContext().getDiagnostics()) {
        String instruction =
            "Fix this problem reported at lines "
                + (d.getRange().getStart().getLine() + 1)
                + "-"
                + (d.getRange().getEnd().getLine() + 1)
                + ": "
                + message(d);
        actions.add(
            Either.forRight(
                action(
                    resolveSupported,
                    "Cromwell: fix \"" + shorten(message(d)) + "\"",
                    CodeActionKind.QuickFix,
                    uri,
                    version,
                    d.getRange(),
                    instruction)));
      }
    }
    return actions;
  }

  /**
   * Whether a built-in {@code instruction} can run on {@code range}: "add a docstring" is refused
   * on a selection that declares nothing or in a language the documentation-only edit does not
   * know, so it is not offered there ({@link EditService#canAsk}).
   */
  private static boolean applies(String name, String text, Range range, String instruction) {
    int first = range.getStart().getLine();
    int last =
        EditCommandArgs.lastLine(first, range.getEnd().getLine(), range.getEnd().getCharacter());
    return EditService.canAsk(
        new EditService.Request(name, text, first + 1, last + 1, instruction));
  }

  /**
   * The file name an edit is asked under: the document's, or for an unsaved one ({@code
   * untitled:Untitled-1}) a name with its language's extension, so that the edit knows the language
   * (the documentation-only edit goes by the extension).
   */
  static String editName(OpenDocument doc) {
    if (doc.path() != null) {
      return doc.path().getFileName().toString();
    }
    String ext = Language.ofLanguageId(doc.languageId()).extension();
    String lastSegment = doc.uri().substring(doc.uri().lastIndexOf('/') + 1);
    return ext != null && !lastSegment.contains(".") ? "untitled." + ext : doc.uri();
  }

  private static CodeAction action(
      boolean resolveSupported,
      String title,
      String kind,
      String uri,
      int version,
      Range range,
      String instruction) {
    if (resolveSupported) {
      return lazy(title, kind, uri, version, range, instruction);
    }
    CodeAction action = new CodeAction(title);
    action.setKind(kind);
    action.setCommand(
        new Command(
            title,
            EDIT_COMMAND,
            List.of(EditCommandArgs.toJson(uri, range, instruction, version))));
    return action;
  }

  private static CodeAction lazy(
      String title, String kind, String uri, int version, Range range, String instruction) {
    CodeAction action = new CodeAction(title);
    action.setKind(kind);
    JsonObject data = new JsonObject();
    data.addProperty("uri", uri);
    data.addProperty("version", version);
    data.addProperty("startLine", range.getStart().getLine());
    data.addProperty("endLine", range.getEnd().getLine());
    data.addProperty("endCharacter", range.getEnd().getCharacter());
    data.addProperty("instruction", instruction);
    action.setData(data);
    return action;
  }

  /**
   * Runs the model for a listed action and attaches its edit (or refuses with a reason); the
   * generation stops at the next token once {@code cancelled} says so.
   */
  CompletableFuture<CodeAction> resolve(
      CodeAction action, BooleanSupplier cancelled, Consumer<FixStep> steps) {
    if (action.getData() == null
        || !(asJsonOrNull(action.getData()) instanceof JsonObject data)
        || !data.has("instruction")) {
      // Not one of ours to resolve (e.g. "edit selection…", which carries its command): some
      // clients resolve every action without an edit; hand it back unchanged.
      return CompletableFuture.completedFuture(action);
    }
    int startLine = data.get("startLine").getAsInt();
    return edit(
            data.get("uri").getAsString(),
            data.get("version").getAsInt(),
            startLine,
            EditCommandArgs.lastLine(
                startLine, data.get("endLine").getAsInt(), data.get("endCharacter").getAsInt()),
            data.get("instruction").getAsString(),
            cancelled,
            steps)
        .thenApply(
            edit -> {
              action.setEdit(edit);
              return action;
            });
  }

  /**
   * The edit for lines {@code startLine..endLine} (0-based), computed against {@code version};
   * {@code cancelled} stops its generation at the next token (the editor's $/cancelRequest), and
   * {@code steps} hears what a fix does beyond its first answer.
   */
  CompletableFuture<WorkspaceEdit> edit(
      String uri,
      int version,
      int startLine,
      int endLine,
      String instruction,
      BooleanSupplier cancelled,
      Consumer<FixStep> steps) {
    OpenDocument before = documents.get(uri).orElseThrow(() -> Refusal.Failed.notOpen(uri));
    if (before.path() == null && uri.startsWith("file:")) {
      // Neovim calls an unnamed buffer "file://", and applies an edit for that URI to a new,
      // hidden buffer named "/": the user's buffer would not change and nobody would say so.
      return CompletableFuture.failedFuture(
          new Refusal.Failed(
              "this buffer has no file name (the editor calls it \""
                  + uri
                  + "\"), so an edit for it would land in another buffer; save it under a name,"
                  + " reopen it (in Neovim: :e) and ask again"));
    }
    if (before.version() != version) {
      return CompletableFuture.failedFuture(
          new Refusal.DocumentChanged(
              "the document changed (version "
                  + before.version()
                  + ", action computed for "
                  + version
                  + "); ask again"));
    }
    Completer completer = runtime.completer();
    EditModel model = completer == null ? null : completer.editModel();
    if (model == null) {
      return CompletableFuture.failedFuture(new Refusal.Failed("no model is loaded"));
    }
    String name = editName(before);
    String oldText = before.text().text();
    return runtime
        .inOrderWithSwaps(
            () -> {
              try {
                return new EditService(model)
                    .edit(
                        new EditService.Request(
                            name, oldText, startLine + 1, endLine + 1, instruction),
                        () -> cancelled.getAsBoolean() || runtime.closing(),
                        steps);
              } catch (EditException e) {
                throw new Refusal.Failed("the model's edit was refused: " + e.getMessage());
              }
            })
        .thenApply(
            newText -> {
              OpenDocument now =
                  documents.get(uri).orElseThrow(() -> new Refusal.Failed(uri + " was closed"));
              if (now.version() != version) {
                throw new Refusal.DocumentChanged(
                    "the document changed while the edit was generated; it was not applied");
              }
              List<Either<TextEdit, org.eclipse.lsp4j.SnippetTextEdit>> edits = new ArrayList<>();
              for (TextEdits.Edit e : TextEdits.compute(oldText, newText)) {
                Range range =
                    new Range(
                        documents.position(now.text(), e.start()),
                        documents.position(now.text(), e.end()));
                edits.add(Either.forLeft(new TextEdit(range, e.text())));
              }
              TextDocumentEdit docEdit =
                  new TextDocumentEdit(new VersionedTextDocumentIdentifier(uri, version), edits);
              return new WorkspaceEdit(List.of(Either.forLeft(docEdit)));
            });
  }

  /** Whether {@code edit} has no text edit at all (the model proposed no change). */
  static boolean changesNothing(WorkspaceEdit edit) {
    boolean noDocumentEdits =
        edit.getDocumentChanges() == null
            || edit.getDocumentChanges().stream()
                .allMatch(c -> c.isLeft() && c.getLeft().getEdits().isEmpty());
    boolean noChanges =
        edit.getChanges() == null || edit.getChanges().values().stream().allMatch(List::isEmpty);
    return noDocumentEdits && noChanges;
  }

  private static JsonObject asJsonOrNull(Object data) {
    try {
      return asJson(data);
    } catch (RuntimeException e) {
      return null;
    }
  }

  static JsonObject asJson(Object data) {
    if (data instanceof JsonObject o) {
      return o;
    }
    return new com.google.gson.Gson().toJsonTree(data).getAsJsonObject();
  }

  private static String message(Diagnostic d) {
    var m = d.getMessage();
    return m == null ? "" : m.isLeft() ? m.getLeft() : m.getRight().getValue();
  }

  private static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
