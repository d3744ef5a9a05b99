package dev.cromwell.lsp;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.cromwell.context.IndexProgress;
import dev.cromwell.edit.FixStep;
import dev.cromwell.engine.generate.Cancellation;
import dev.cromwell.engine.model.Model;
import dev.cromwell.protocol.PositionEncoding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionList;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
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
import org.eclipse.lsp4j.TextDocumentSyncKind;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageClientAware;
import org.eclipse.lsp4j.services.LanguageServer;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.eclipse.lsp4j.services.WorkspaceService;

/**
 * The LSP front door. It only translates between LSP and the services: {@link ModelRuntime} (the
 * model, its thread, the settings, the index), {@link CompletionService} (when completions run),
 * {@link LspEdits} (edits), {@link StatusReport} and {@link CompletionItems} (answers), and {@link
 * LspErrors} (refusals as LSP errors). Model loading and workspace indexing run in the background
 * and report work-done progress; until the model is ready, completion requests return nothing.
 */
public final class CromwellLanguageServer implements LanguageServer, LanguageClientAware {
  public static final String ACCEPTED_COMMAND = CompletionItems.ACCEPTED_COMMAND;

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
    this(config, completerFactory, null, downloads);
  }

  private CromwellLanguageServer(
      ServerConfig config,
      Function<ServerConfig, Completer> completerFactory,
      WarmModels warm,
      ModelDownloads downloads) {
    downloads.connect(() -> client, this::progress, this::message);
    this.runtime =
        new ModelRuntime(
            config,
            rt ->
                warm == null
                    ? new ModelLoader(
                        rt, completerFactory, this::progress, this::message, downloads)
                    : new ModelLoader(
                        rt,
                        completerFactory,
                        warm::release,
                        warm::reused,
                        this::progress,
                        this::message,
                        downloads));
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

  /**
   * A server of the daemon ({@code cromwell lsp --daemon}): its model is taken from {@code warm}
   * when an earlier session left one loaded with the same settings, and goes back there when this
   * session ends. A relative model path is a file in {@code sessionFolder} (the editor session's
   * working folder, null when unknown), as it would be for a server in the editor's own process.
   */
  public static CromwellLanguageServer withModels(
      ServerConfig config, WarmModels warm, java.nio.file.Path sessionFolder) {
    ModelDownloads downloads = ModelDownloads.fromEnvironment();
    return new CromwellLanguageServer(
        config,
        settings -> {
          // The daemon runs in a folder of its own: a relative model path means the session's.
          ServerConfig cfg = WarmModels.inFolder(settings, sessionFolder);
          java.nio.file.Path file = downloads.resolve(cfg);
          return warm.lease(WarmModels.Key.of(file, cfg), () -> loadModel(cfg, downloads));
        },
        warm,
        downloads);
  }

  /** Loads the configured model and warms it up (on the loader thread, under its progress). */
  static Completer loadModel(ServerConfig cfg, ModelDownloads downloads) {
    ModelCompleter loaded =
        new ModelCompleter(
            Model.load(
                downloads.resolve(cfg),
                new Model.Options(
                    cfg.threads(), 0, Model.DEFAULT_PREFILL_CHUNK, cfg.loadMode(), cfg.kvCache())),
            cfg.memoryBudgetBytes(),
            cfg.kvReuse());
    try {
      return ModelWarmup.warm(loaded);
    } catch (RuntimeException | Error e) {
      // The load fails with the warm-up's error; the model's memory must not stay behind it.
      ModelLoader.closeQuietly(loaded);
      throw e;
    }
  }

  @Override
  public void connect(LanguageClient client) {
    this.client = client;
  }

  @Override
  public CompletableFuture<InitializeResult> initialize(InitializeParams params) {
    var capabilities = params.getCapabilities();
    documents.setEncoding(encodingFor(capabilities));
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
    return CompletableFuture.completedFuture(initializeResult(params));
  }

  /**
   * The answer to {@code initialize} as LSP4J's type, for the server's own handling of it: {@link
   * #initializeResult(boolean, PositionEncoding)} read back by LSP4J's Gson.
   */
  public static InitializeResult initializeResult(InitializeParams params) {
    var capabilities = params.getCapabilities();
    return Lsp4jJson.GSON.fromJson(
        initializeResult(
            ClientFeatures.showsInlineCompletions(capabilities), encodingFor(capabilities)),
        InitializeResult.class);
  }

  /**
   * The answer to {@code initialize} for its params as JSON: what {@code cromwell lsp} answers
   * before the server is built ({@link dev.cromwell.lsp.rpc.EarlyInitialize}), from the same two
   * facts about the client as {@link #initializeResult(InitializeParams)}.
   */
  public static JsonObject initializeResult(JsonObject params) {
    JsonObject capabilities =
        params.get("capabilities") instanceof JsonObject c ? c : null; // absent or null: none
    return initializeResult(
        ClientFeatures.showsInlineCompletions(capabilities),
        PositionEncoding.negotiate(ClientFeatures.positionEncodings(capabilities)));
  }

  /**
   * What the server offers a client that does or does not show inline completions, in the position
   * encoding agreed with it: the one place that decides the answer to {@code initialize}. Built as
   * JSON, not as LSP4J's types, so that the early answer needs none of LSP4J's reflective Gson
   * (half of the time to it); {@code EarlyInitializeTest} checks that LSP4J reads it back and
   * writes the same JSON.
   */
  static JsonObject initializeResult(boolean showsInlineCompletions, PositionEncoding encoding) {
    JsonObject caps = new JsonObject();
    // LSP numbers the kinds as LSP4J declares them: None 0, Full 1, Incremental 2.
    caps.addProperty("textDocumentSync", TextDocumentSyncKind.Incremental.ordinal());
    caps.addProperty("inlineCompletionProvider", true);
    if (!showsInlineCompletions) {
      JsonObject completion = new JsonObject(); // the fallback
      completion.addProperty("resolveProvider", false);
      completion.add("triggerCharacters", new JsonArray());
      caps.add("completionProvider", completion);
    }
    JsonObject commands = new JsonObject();
    commands.add("commands", strings(ACCEPTED_COMMAND, LspEdits.EDIT_COMMAND));
    caps.add("executeCommandProvider", commands);
    JsonObject actions = new JsonObject();
    actions.add(
        "codeActionKinds", strings(CodeActionKind.RefactorRewrite, CodeActionKind.QuickFix));
    actions.addProperty("resolveProvider", true);
    caps.add("codeActionProvider", actions);
    caps.addProperty("positionEncoding", encoding.lspName());
    JsonObject info = new JsonObject();
    info.addProperty("name", "cromwell");
    info.addProperty("version", "0.1.0");
    JsonObject result = new JsonObject();
    result.add("capabilities", caps);
    result.add("serverInfo", info);
    return result;
  }

  private static JsonArray strings(String... values) {
    JsonArray array = new JsonArray();
    for (String value : values) {
      array.add(value);
    }
    return array;
  }

  /** LSP4J's Gson (its adapters for enums and Either), built when first needed. */
  private static final class Lsp4jJson {
    static final Gson GSON = new MessageJsonHandler(Map.of()).getGson();
  }

  /** The position encoding agreed with a client: UTF-8 when it offers it, else LSP's UTF-16. */
  private static PositionEncoding encodingFor(org.eclipse.lsp4j.ClientCapabilities capabilities) {
    return capabilities != null && capabilities.getGeneral() != null
        ? PositionEncoding.negotiate(capabilities.getGeneral().getPositionEncodings())
        : PositionEncoding.UTF16;
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
    return CompletableFuture.completedFuture(
        StatusReport.of(runtime, documents, completions.stats()));
  }

  /**
   * Settings from the client: the runtime applies them; the problems are shown, not only logged.
   */
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
      Cancellation cancellation = new Cancellation();
      Progress p = progress(action.getTitle());
      ToldSteps told = new ToldSteps(p);
      return cancelledBy(
          cancellation,
          answered(p, () -> edits.resolve(action, cancellation, told).thenApply(told::landed)));
    }

    @Override
    public CompletableFuture<Either<List<InlineCompletionItem>, InlineCompletionList>>
        inlineCompletion(InlineCompletionParams params) {
      return suggest(
          params.getTextDocument().getUri(),
          params.getPosition(),
          found -> Either.forRight(CompletionItems.inline(found)));
    }

    @Override
    public CompletableFuture<Either<List<CompletionItem>, CompletionList>> completion(
        CompletionParams params) {
      return suggest(
          params.getTextDocument().getUri(),
          params.getPosition(),
          found -> Either.forRight(CompletionItems.completion(found)));
    }
  }

  private <T> CompletableFuture<T> suggest(
      String uri, Position position, Function<Optional<CompletionItems.Placed>, T> answer) {
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
                              return new CompletionItems.Placed(suggestion, new Range(start, end));
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

  /** cromwell.edit {uri, range, instruction}: computes the edit and asks the client to apply it. */
  private CompletableFuture<Object> runEditCommand(List<Object> arguments) {
    EditCommandArgs args;
    int version;
    try {
      args = EditCommandArgs.parse(arguments);
      version = args.checkedVersion(documents);
    } catch (Refusal r) {
      message(MessageType.Warning, Titles.cromwell(r.getMessage()));
      return CompletableFuture.failedFuture(LspErrors.response(r));
    }
    Progress p = progress("editing");
    ToldSteps told = new ToldSteps(p);
    Cancellation cancellation = new Cancellation();
    return cancelledBy(
        cancellation,
        answered(
            p,
            () ->
                edits
                    .edit(
                        args.uri(),
                        version,
                        args.range().getStart().getLine(),
                        args.lastLine(),
                        args.instruction(),
                        cancellation,
                        told)
                    .thenCompose(edit -> apply(edit, p))
                    .thenApply(told::landed)));
  }

  /**
   * Where one edit's fix steps go: the ones users hear ({@link FixStep#toldToUsers}) into its
   * progress and the log (a client without progress still has them); and once the edit is ready
   * (resolved for the client to apply, or applied), the last line the fix guessed ({@link
   * FixStep.Guess}: by fill-in-the-middle, or a one-token repair that replaced the fill's line or
   * the first answer's rewrite) also as a message, so that the user checks that line.
   */
  private final class ToldSteps implements Consumer<FixStep> {
    private final Progress progress;
    private volatile FixStep.Guess guessed;

    ToldSteps(Progress progress) {
      this.progress = progress;
    }

    @Override
    public void accept(FixStep step) {
      if (step.toldToUsers()) {
        progress.report(step.describe(), null);
        log(Titles.cromwell(step.describe()));
      }
      if (step instanceof FixStep.Guess g) {
        guessed = g;
      }
    }

    /**
     * The edit is ready: {@code result} passes through. A client's answer that it did not apply the
     * edit shows nothing: no guessed line landed.
     */
    <T> T landed(T result) {
      FixStep.Guess g = guessed;
      boolean refused =
          result instanceof org.eclipse.lsp4j.ApplyWorkspaceEditResponse r && !r.isApplied();
      if (g != null && !refused) {
        message(MessageType.Info, Titles.cromwell(g.describe()));
      }
      return result;
    }
  }

  /**
   * {@code answer}, whose cancellation by LSP4J ($/cancelRequest cancels exactly the future it
   * holds) cancels {@code cancellation}: the edit's generation stops within a token, so no edit is
   * computed, and none is sent to the client to apply, after the editor gave up on it.
   */
  private static <T> CompletableFuture<T> cancelledBy(
      Cancellation cancellation, CompletableFuture<T> answer) {
    answer.whenComplete(
        (r, e) -> {
          if (answer.isCancelled()) {
            cancellation.cancel();
          }
        });
    return answer;
  }

  /** Asks the client to apply {@code edit}, when it changes something and the client can. */
  private CompletableFuture<Object> apply(org.eclipse.lsp4j.WorkspaceEdit edit, Progress p) {
    if (LspEdits.changesNothing(edit)) {
      // An empty applyEdit is answered applied:false by VS Code, which reads as a failure; say
      // what happened instead.
      p.end("no change");
      message(MessageType.Info, "Cromwell: the model proposed no change");
      return CompletableFuture.completedFuture(edit);
    }
    p.end("edit ready");
    LanguageClient c = client;
    if (!applyEditSupported || c == null) {
      return CompletableFuture.completedFuture(edit);
    }
    return c.applyEdit(new org.eclipse.lsp4j.ApplyWorkspaceEditParams(edit, "Cromwell edit"))
        .thenApply(r -> r);
  }

  /**
   * The answer of an edit request: its progress ends, and a refusal (thrown or failed) is shown to
   * the user and answered with its LSP error.
   */
  private <T> CompletableFuture<T> answered(Progress p, Supplier<CompletableFuture<T>> work) {
    CompletableFuture<T> started;
    try {
      started = work.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    return started.handle(
        (r, e) -> {
          p.end(e == null ? "edit ready" : "edit refused");
          if (e != null && !runtime.closing()) { // at shutdown nobody waits for it
            message(MessageType.Warning, Titles.cromwell(LspErrors.message(e)));
            throw LspErrors.response(e);
          }
          return r;
        });
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
