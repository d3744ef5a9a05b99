package dev.cromwell.lsp;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import dev.cromwell.context.IndexProgress;
import dev.cromwell.engine.generate.Cancellation;
import dev.cromwell.engine.model.Model;
import dev.cromwell.protocol.PositionEncoding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionItemKind;
import org.eclipse.lsp4j.CompletionList;
import org.eclipse.lsp4j.CompletionOptions;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.ExecuteCommandOptions;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.FileChangeType;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.eclipse.lsp4j.InlineCompletionList;
import org.eclipse.lsp4j.InlineCompletionParams;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ServerCapabilities;
import org.eclipse.lsp4j.ServerInfo;
import org.eclipse.lsp4j.TextDocumentSyncKind;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageClientAware;
import org.eclipse.lsp4j.services.LanguageServer;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.eclipse.lsp4j.services.WorkspaceService;

/**
 * The LSP front door: thin handlers that keep documents in sync and hand completion requests to the
 * {@link CompletionService}. Model loading and workspace indexing run in the background and report
 * work-done progress; until the model is ready, completion requests return nothing.
 */
public final class CromwellLanguageServer implements LanguageServer, LanguageClientAware {
  public static final String ACCEPTED_COMMAND = "cromwell.accepted";

  private final DocumentStore documents = new DocumentStore();
  private final ModelRuntime runtime;
  private final CompletionService completions;
  private final TextDocuments textDocuments = new TextDocuments();
  private final Workspace workspace = new Workspace();
  private final LspEdits edits;
  private volatile LanguageClient client;
  private volatile boolean progressSupported;
  private volatile boolean applyEditSupported;
  private volatile boolean resolveSupported;
  private volatile List<Path> roots = List.of();
  private volatile boolean shutdown;

  public CromwellLanguageServer(
      ServerConfig config, Function<ServerConfig, Completer> completerFactory) {
    this(config, completerFactory, ModelDownloads.fromEnvironment());
  }

  CromwellLanguageServer(
      ServerConfig config,
      Function<ServerConfig, Completer> completerFactory,
      ModelDownloads downloads) {
    downloads.connect(() -> client, this::progress, this::message);
    this.runtime =
        new ModelRuntime(config, completerFactory, this::progress, this::message, downloads);
    this.completions = new CompletionService(runtime);
    this.edits = new LspEdits(documents, runtime);
  }

  /**
   * A server whose completer is a model loaded from the configured file or catalogue name (the
   * catalogue's default when none is set), from the user's model store.
   */
  public static CromwellLanguageServer withModels(ServerConfig config) {
    return withModels(config, ModelDownloads.fromEnvironment());
  }

  static CromwellLanguageServer withModels(ServerConfig config, ModelDownloads downloads) {
    return new CromwellLanguageServer(config, cfg -> loadModel(cfg, downloads), downloads);
  }

  /** Loads the configured model and warms it up (on the loader thread, under its progress). */
  static Completer loadModel(ServerConfig cfg, ModelDownloads downloads) {
    return ModelWarmup.warm(
        new ModelCompleter(
            Model.load(
                downloads.resolve(cfg),
                new Model.Options(
                    cfg.threads(), 0, Model.DEFAULT_PREFILL_CHUNK, cfg.loadMode(), cfg.kvCache())),
            cfg.memoryBudgetBytes(),
            cfg.kvReuse()));
  }

  @Override
  public void connect(LanguageClient client) {
    this.client = client;
  }

  @Override
  public CompletableFuture<InitializeResult> initialize(InitializeParams params) {
    var capabilities = params.getCapabilities();
    if (capabilities != null && capabilities.getGeneral() != null) {
      documents.setEncoding(
          PositionEncoding.negotiate(capabilities.getGeneral().getPositionEncodings()));
    }
    applyEditSupported =
        capabilities != null
            && capabilities.getWorkspace() != null
            && Boolean.TRUE.equals(capabilities.getWorkspace().getApplyEdit());
    resolveSupported = ClientFeatures.resolvesCodeActionEdits(capabilities);
    progressSupported =
        capabilities != null
            && capabilities.getWindow() != null
            && Boolean.TRUE.equals(capabilities.getWindow().getWorkDoneProgress());
    List<Path> folders = new ArrayList<>();
    if (params.getWorkspaceFolders() != null) {
      params
          .getWorkspaceFolders()
          .forEach(
              f -> Optional.ofNullable(DocumentStore.pathOf(f.getUri())).ifPresent(folders::add));
    }
    if (folders.isEmpty() && params.getRootUri() != null) {
      Optional.ofNullable(DocumentStore.pathOf(params.getRootUri())).ifPresent(folders::add);
    }
    roots = folders.stream().filter(Files::isDirectory).toList();
    applyConfiguration(toJson(params.getInitializationOptions()));

    ServerCapabilities caps = new ServerCapabilities();
    caps.setTextDocumentSync(TextDocumentSyncKind.Incremental);
    caps.setInlineCompletionProvider(true);
    if (!ClientFeatures.showsInlineCompletions(capabilities)) {
      caps.setCompletionProvider(new CompletionOptions(false, List.of())); // the fallback
    }
    caps.setExecuteCommandProvider(
        new ExecuteCommandOptions(List.of(ACCEPTED_COMMAND, LspEdits.EDIT_COMMAND)));
    org.eclipse.lsp4j.CodeActionOptions actionOptions =
        new org.eclipse.lsp4j.CodeActionOptions(
            List.of(
                org.eclipse.lsp4j.CodeActionKind.RefactorRewrite,
                org.eclipse.lsp4j.CodeActionKind.QuickFix));
    actionOptions.setResolveProvider(true);
    caps.setCodeActionProvider(actionOptions);
    caps.setPositionEncoding(documents.encoding().lspName());
    return CompletableFuture.completedFuture(
        new InitializeResult(caps, new ServerInfo("cromwell", "0.1.0")));
  }

  @Override
  public void initialized(InitializedParams params) {
    runtime.start();
    startIndexing();
  }

  private void startIndexing() {
    if (roots.isEmpty()) {
      return;
    }
    Progress progress = progress("Cromwell: indexing workspace");
    runtime.startIndexing(
        roots,
        new IndexProgress() {
          @Override
          public void update(int indexed, int skipped, String current) {
            progress.report(indexed + " files indexed", null);
          }

          @Override
          public void done(int indexed, int skipped, long millis) {
            progress.end(indexed + " files indexed in " + millis + " ms");
          }
        });
  }

  @Override
  public CompletableFuture<Object> shutdown() {
    shutdown = true;
    completions.close();
    runtime.close();
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void exit() {
    if (!shutdown) {
      completions.close();
      runtime.close();
    }
    exitHook.run();
  }

  private Runnable exitHook = () -> {};

  /** What {@code exit} does after releasing resources (the launcher ends the process). */
  public void onExit(Runnable hook) {
    this.exitHook = hook;
  }

  @Override
  public TextDocumentService getTextDocumentService() {
    return textDocuments;
  }

  @Override
  public WorkspaceService getWorkspaceService() {
    return workspace;
  }

  /** The server's own view of the open documents, for tests that compare it with the editor's. */
  DocumentStore documents() {
    return documents;
  }

  /** {@code cromwell/status}: model, threads, sessions, cache use and recent latencies. */
  @JsonRequest("cromwell/status")
  public CompletableFuture<Map<String, Object>> status() {
    Map<String, Object> s = new LinkedHashMap<>();
    ServerConfig cfg = runtime.config();
    s.put("model", cfg.model() == null ? null : cfg.model().toString());
    s.put("modelState", runtime.modelState());
    s.put("threads", cfg.threads());
    Completer c = runtime.completer();
    s.put("fimFormat", c == null ? null : c.format().name());
    s.put("sessions", c == null ? 0 : c.sessions());
    s.put("openDocuments", documents.size());
    s.put("positionEncoding", documents.encoding().lspName());
    s.put("indexedFiles", runtime.index() == null ? 0 : runtime.index().files().size());
    s.put("stats", completions.stats());
    return CompletableFuture.completedFuture(s);
  }

  private void applyConfiguration(JsonElement json) {
    ServerConfig.Update update = runtime.applySettings(json);
    for (String key : update.ignored()) {
      // Shown, not only logged: Neovim and Emacs do not display the log by default.
      log("ignoring unknown setting \"" + key + "\"");
      message(MessageType.Warning, SettingNames.unknown(key));
    }
    for (String problem : update.problems()) {
      message(MessageType.Error, problem);
    }
  }

  private static JsonElement toJson(Object o) {
    if (o == null) {
      return null;
    }
    if (o instanceof JsonElement e) {
      return e;
    }
    Gson gson = new Gson();
    return gson.toJsonTree(o);
  }

  void message(MessageType type, String text) {
    LanguageClient c = client;
    if (c != null) {
      c.showMessage(new MessageParams(type, text));
    }
  }

  void log(String text) {
    LanguageClient c = client;
    if (c != null) {
      c.logMessage(new MessageParams(MessageType.Log, text));
    }
  }

  Progress progress(String title) {
    return Progress.start(client, progressSupported, title);
  }

  private final class TextDocuments implements TextDocumentService {
    @Override
    public void didOpen(DidOpenTextDocumentParams params) {
      var d = params.getTextDocument();
      OpenDocument doc = documents.open(d.getUri(), d.getLanguageId(), d.getVersion(), d.getText());
      runtime.documentOpened(doc);
    }

    @Override
    public void didChange(DidChangeTextDocumentParams params) {
      try {
        OpenDocument doc =
            documents.change(
                params.getTextDocument().getUri(),
                params.getTextDocument().getVersion(),
                params.getContentChanges());
        runtime.documentChanged(doc);
      } catch (IllegalArgumentException e) {
        log("didChange ignored: " + e.getMessage());
      }
    }

    @Override
    public void didClose(DidCloseTextDocumentParams params) {
      String uri = params.getTextDocument().getUri();
      documents.get(uri).ifPresent(runtime::documentClosed);
      documents.close(uri);
      completions.documentClosed(uri);
    }

    @Override
    public void didSave(DidSaveTextDocumentParams params) {}

    @Override
    public CompletableFuture<List<Either<org.eclipse.lsp4j.Command, org.eclipse.lsp4j.CodeAction>>>
        codeAction(org.eclipse.lsp4j.CodeActionParams params) {
      return CompletableFuture.completedFuture(edits.actions(params, resolveSupported));
    }

    @Override
    public CompletableFuture<org.eclipse.lsp4j.CodeAction> resolveCodeAction(
        org.eclipse.lsp4j.CodeAction action) {
      if (action.getData() == null) {
        return CompletableFuture.completedFuture(action); // nothing to compute; see LspEdits
      }
      Progress p = progress(action.getTitle());
      CompletableFuture<org.eclipse.lsp4j.CodeAction> resolved;
      try {
        resolved = edits.resolve(action);
      } catch (RuntimeException e) {
        resolved = CompletableFuture.failedFuture(e);
      }
      return resolved.handle(
          (r, e) -> {
            p.end(e == null ? "edit ready" : "edit refused");
            if (e != null) {
              message(MessageType.Warning, Titles.cromwell(rootMessage(e)));
              throw refusal(e);
            }
            return r;
          });
    }

    @Override
    public CompletableFuture<Either<List<InlineCompletionItem>, InlineCompletionList>>
        inlineCompletion(InlineCompletionParams params) {
      return suggest(
          params.getTextDocument().getUri(),
          params.getPosition(),
          found -> {
            List<InlineCompletionItem> items = new ArrayList<>();
            found.ifPresent(f -> items.add(inlineItem(f)));
            return Either.forRight(new InlineCompletionList(items));
          });
    }

    @Override
    public CompletableFuture<Either<List<CompletionItem>, CompletionList>> completion(
        CompletionParams params) {
      return suggest(
          params.getTextDocument().getUri(),
          params.getPosition(),
          found -> {
            List<CompletionItem> items = new ArrayList<>();
            found.ifPresent(f -> items.add(completionItem(f)));
            return Either.forRight(new CompletionList(false, items));
          });
    }
  }

  /** A suggestion with the range it replaces, in the client's positions. */
  private record Found(Suggestion suggestion, Range range) {}

  private <T> CompletableFuture<T> suggest(
      String uri, Position position, Function<Optional<Found>, T> answer) {
    Optional<OpenDocument> doc = documents.get(uri);
    if (doc.isEmpty()) {
      return CompletableFuture.completedFuture(answer.apply(Optional.empty()));
    }
    OpenDocument d = doc.get();
    int offset = documents.offset(d.text(), position);
    Cancellation cancellation = new Cancellation();
    CompletableFuture<T> result =
        completions
            .complete(d, offset, cancellation)
            .thenApply(
                s ->
                    answer.apply(
                        s.map(
                            suggestion -> {
                              Position start = documents.position(d.text(), offset);
                              Position end =
                                  documents.position(d.text(), offset + suggestion.replaceLength());
                              return new Found(suggestion, new Range(start, end));
                            })));
    // $/cancelRequest cancels exactly the future LSP4J holds: stop generating within one token.
    result.whenComplete(
        (r, e) -> {
          if (result.isCancelled()) {
            cancellation.cancel();
          }
        });
    return result;
  }

  private static InlineCompletionItem inlineItem(Found f) {
    InlineCompletionItem item = new InlineCompletionItem();
    item.setInsertText(f.suggestion().text());
    item.setRange(f.range());
    item.setCommand(
        new org.eclipse.lsp4j.Command("Cromwell: suggestion accepted", ACCEPTED_COMMAND));
    return item;
  }

  private static CompletionItem completionItem(Found f) {
    String text = f.suggestion().text();
    CompletionItem item = new CompletionItem(firstLine(text));
    item.setKind(CompletionItemKind.Text);
    item.setDetail("Cromwell");
    item.setTextEdit(Either.forLeft(new TextEdit(f.range(), text)));
    item.setFilterText(text);
    item.setCommand(
        new org.eclipse.lsp4j.Command("Cromwell: suggestion accepted", ACCEPTED_COMMAND));
    return item;
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline) + " …";
  }

  /** cromwell.edit {uri, range, instruction}: computes the edit and asks the client to apply it. */
  private CompletableFuture<Object> runEditCommand(List<Object> arguments) {
    EditCommandArgs args;
    try {
      args = EditCommandArgs.parse(arguments);
    } catch (IllegalArgumentException e) {
      message(MessageType.Warning, Titles.cromwell(e.getMessage()));
      return CompletableFuture.failedFuture(
          new org.eclipse.lsp4j.jsonrpc.ResponseErrorException(
              new org.eclipse.lsp4j.jsonrpc.messages.ResponseError(
                  org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode.InvalidParams,
                  e.getMessage(),
                  null)));
    }
    String uri = args.uri();
    Range range = args.range();
    String instruction = args.instruction();
    OpenDocument doc = documents.get(uri).orElse(null);
    if (doc == null || instruction.isBlank()) {
      String why =
          doc == null
              ? uri + " is not open"
              : "the instruction is empty (editor plugins ask for one: :CromwellEdit,"
                  + " M-x cromwell-edit-region, \"Cromwell: Edit Selection…\")";
      message(MessageType.Warning, Titles.cromwell(why));
      return CompletableFuture.failedFuture(refusal(new IllegalArgumentException(why)));
    }
    int version = args.version() == null ? doc.version() : args.version();
    int endLine =
        range.getEnd().getCharacter() == 0 && range.getEnd().getLine() > range.getStart().getLine()
            ? range.getEnd().getLine() - 1
            : range.getEnd().getLine();
    Progress p = progress("editing");
    return edits
        .edit(uri, version, range.getStart().getLine(), endLine, instruction)
        .thenCompose(
            edit -> {
              if (changesNothing(edit)) {
                // An empty applyEdit is answered applied:false by VS Code, which reads as a
                // failure; say what happened instead.
                p.end("no change");
                message(MessageType.Info, "Cromwell: the model proposed no change");
                return CompletableFuture.completedFuture((Object) edit);
              }
              p.end("edit ready");
              if (!applyEditSupported || client == null) {
                return CompletableFuture.completedFuture((Object) edit);
              }
              return client
                  .applyEdit(new org.eclipse.lsp4j.ApplyWorkspaceEditParams(edit, "Cromwell edit"))
                  .thenApply(r -> (Object) r);
            })
        .handle(
            (r, e) -> {
              if (e != null) {
                p.end("edit refused");
                message(MessageType.Warning, Titles.cromwell(rootMessage(e)));
                throw refusal(e);
              }
              return r;
            });
  }

  private static boolean changesNothing(org.eclipse.lsp4j.WorkspaceEdit edit) {
    boolean noDocumentEdits =
        edit.getDocumentChanges() == null
            || edit.getDocumentChanges().stream()
                .allMatch(c -> c.isLeft() && c.getLeft().getEdits().isEmpty());
    boolean noChanges =
        edit.getChanges() == null || edit.getChanges().values().stream().allMatch(List::isEmpty);
    return noDocumentEdits && noChanges;
  }

  /**
   * An edit failure as an LSP error the client can show: ContentModified when the document moved
   * on, RequestFailed otherwise.
   */
  private static java.util.concurrent.CompletionException refusal(Throwable e) {
    String message = rootMessage(e);
    var code =
        message != null && message.contains("changed")
            ? org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode.ContentModified
            : org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode.RequestFailed;
    return new java.util.concurrent.CompletionException(
        new org.eclipse.lsp4j.jsonrpc.ResponseErrorException(
            new org.eclipse.lsp4j.jsonrpc.messages.ResponseError(code, message, null)));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private final class Workspace implements WorkspaceService {
    @Override
    public void didChangeConfiguration(DidChangeConfigurationParams params) {
      applyConfiguration(toJson(params.getSettings()));
    }

    @Override
    public void didChangeWatchedFiles(DidChangeWatchedFilesParams params) {
      for (var change : params.getChanges()) {
        Path p = DocumentStore.pathOf(change.getUri());
        if (p != null) {
          runtime.fileChanged(p, change.getType() == FileChangeType.Deleted);
        }
      }
    }

    @Override
    public CompletableFuture<Object> executeCommand(ExecuteCommandParams params) {
      if (ACCEPTED_COMMAND.equals(params.getCommand())) {
        completions.accepted();
        return CompletableFuture.completedFuture(null);
      }
      if (LspEdits.EDIT_COMMAND.equals(params.getCommand())) {
        return runEditCommand(params.getArguments());
      }
      return CompletableFuture.completedFuture(null);
    }
  }
}
