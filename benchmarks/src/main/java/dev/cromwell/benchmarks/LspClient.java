package dev.cromwell.benchmarks;

import com.google.gson.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.InlineCompletionContext;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.eclipse.lsp4j.InlineCompletionParams;
import org.eclipse.lsp4j.InlineCompletionTriggerKind;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ServerCapabilities;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.WorkspaceFolder;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.eclipse.lsp4j.services.WorkspaceService;

/**
 * The editor's side of a connection to Cromwell's LSP server, over any pair of streams (a server
 * process's stdout and stdin, or pipes to one in this JVM): initialize with settings and a
 * workspace folder, wait for the model, open and close documents, ask for the inline suggestion at
 * a position, shut down. The benchmarks and the eval harness's editor path all speak through it.
 */
public final class LspClient {
  /** Cromwell's LSP server as a client sees it: the standard protocol plus its status request. */
  public interface Server extends LanguageServer {
    @JsonRequest("cromwell/status")
    CompletableFuture<Map<String, Object>> status();
  }

  /** A client that ignores what the server tells it, except messages meant for the user. */
  static final class QuietClient implements LanguageClient {
    @Override
    public void telemetryEvent(Object object) {}

    @Override
    public void publishDiagnostics(PublishDiagnosticsParams diagnostics) {}

    @Override
    public void showMessage(MessageParams messageParams) {
      System.err.println("server: " + messageParams.getMessage());
    }

    @Override
    public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams p) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void logMessage(MessageParams message) {}
  }

  private final Server server;

  /** Starts listening to the server on {@code fromServer}; requests go to {@code toServer}. */
  public LspClient(InputStream fromServer, OutputStream toServer) {
    Launcher<Server> launcher =
        new Launcher.Builder<Server>()
            .setLocalService(new QuietClient())
            .setRemoteInterface(Server.class)
            .setInput(fromServer)
            .setOutput(toServer)
            .create();
    launcher.startListening();
    server = launcher.getRemoteProxy();
  }

  /**
   * One {@code initialize} round trip through this class against an in-memory server, so that the
   * first one timed against a real server does not include this JVM loading and compiling lsp4j and
   * gson (an editor's client is long warm when it starts a server): inside TypingLatencyBench that
   * cost read as ~250 ms of the server's initialize time. Once per JVM; a failure is reported and
   * the benchmark goes on.
   */
  static synchronized void warmUp() {
    if (warmedUp) {
      return;
    }
    warmedUp = true;
    try {
      initializeInMemory();
    } catch (Exception e) {
      // Only the first measured initialize gets slower; the benchmark itself goes on.
      System.err.println("LspClient: the client warm-up failed (" + e + "); measuring anyway");
    }
  }

  private static boolean warmedUp;

  private static void initializeInMemory() throws Exception {
    PipedInputStream fromServer = new PipedInputStream(1 << 16);
    PipedInputStream toServer = new PipedInputStream(1 << 16);
    PipedOutputStream serverOut = new PipedOutputStream(fromServer);
    PipedOutputStream clientOut = new PipedOutputStream(toServer);
    Launcher<LanguageClient> echo =
        new Launcher.Builder<LanguageClient>()
            .setLocalService(new AnsweringServer())
            .setRemoteInterface(LanguageClient.class)
            .setInput(toServer)
            .setOutput(serverOut)
            .create();
    Future<Void> serving = echo.startListening();
    new LspClient(fromServer, clientOut).initialize(new JsonObject(), Path.of("."), "warm-up");
    serving.cancel(true);
    clientOut.close();
    serverOut.close();
  }

  /** A server that answers {@code initialize} and ignores the rest, for {@link #warmUp}. */
  private static final class AnsweringServer implements LanguageServer {
    @Override
    public CompletableFuture<InitializeResult> initialize(InitializeParams p) {
      return CompletableFuture.completedFuture(new InitializeResult(new ServerCapabilities()));
    }

    @Override
    public CompletableFuture<Object> shutdown() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void exit() {}

    @Override
    public TextDocumentService getTextDocumentService() {
      return new TextDocumentService() {
        @Override
        public void didOpen(DidOpenTextDocumentParams params) {}

        @Override
        public void didChange(DidChangeTextDocumentParams params) {}

        @Override
        public void didClose(DidCloseTextDocumentParams params) {}

        @Override
        public void didSave(DidSaveTextDocumentParams params) {}
      };
    }

    @Override
    public WorkspaceService getWorkspaceService() {
      return new WorkspaceService() {
        @Override
        public void didChangeConfiguration(DidChangeConfigurationParams p) {}

        @Override
        public void didChangeWatchedFiles(DidChangeWatchedFilesParams p) {}
      };
    }
  }

  /** The server, for what this class has no method for (changes, file events). */
  public Server server() {
    return server;
  }

  /**
   * Sends {@code initialize} with {@code settings} as initializationOptions and {@code workspace}
   * (if any) as the one workspace folder, waits for the answer, then sends {@code initialized}.
   *
   * @return {@link System#nanoTime()} when the answer came
   */
  public long initialize(JsonObject settings, Path workspace, String folderName) throws Exception {
    InitializeParams init = new InitializeParams();
    init.setProcessId((int) ProcessHandle.current().pid());
    init.setCapabilities(new ClientCapabilities());
    init.setInitializationOptions(settings);
    if (workspace != null) {
      String uri = workspace.toAbsolutePath().normalize().toUri().toString();
      init.setWorkspaceFolders(List.of(new WorkspaceFolder(uri, folderName)));
    }
    server.initialize(init).get(60, TimeUnit.SECONDS);
    long answered = System.nanoTime();
    server.initialized(new InitializedParams());
    return answered;
  }

  /** {@code cromwell/status}. */
  public Map<String, Object> status() throws Exception {
    return server.status().get(60, TimeUnit.SECONDS);
  }

  /**
   * Polls {@code cromwell/status} every {@code pollMillis} until the model is ready; fails when it
   * failed to load, when the server is no longer {@code alive}, or after 5 minutes.
   */
  public void awaitReady(long pollMillis, BooleanSupplier alive) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (true) {
      Object state = status().get("modelState");
      if ("ready".equals(state)) {
        return;
      }
      if (state instanceof String s && s.startsWith("failed")) {
        throw new IllegalStateException("the server could not load the model: " + s);
      }
      if (System.nanoTime() > deadline || !alive.getAsBoolean()) {
        throw new IllegalStateException("the server did not load the model (state " + state + ")");
      }
      Thread.sleep(pollMillis);
    }
  }

  public void open(String uri, String language, String text) {
    server
        .getTextDocumentService()
        .didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, language, 1, text)));
  }

  public void close(String uri) {
    server
        .getTextDocumentService()
        .didClose(new DidCloseTextDocumentParams(new TextDocumentIdentifier(uri)));
  }

  /** The suggestions at {@code at}, asked as an editor asks while the user types. */
  public CompletableFuture<List<InlineCompletionItem>> inline(String uri, Position at) {
    return server
        .getTextDocumentService()
        .inlineCompletion(
            new InlineCompletionParams(
                new TextDocumentIdentifier(uri),
                at,
                new InlineCompletionContext(InlineCompletionTriggerKind.Automatic)))
        .thenApply(e -> e.isLeft() ? e.getLeft() : e.getRight().getItems());
  }

  /**
   * Ends the session as an editor does (shutdown, then exit).
   *
   * @return false when the server did not answer (it may be gone already) or this thread was
   *     interrupted (the interrupt is kept)
   */
  public boolean shutdown() {
    try {
      server.shutdown().get(30, TimeUnit.SECONDS);
      server.exit();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  /** LSP position (UTF-16, the default encoding) of a char offset. */
  public static Position position(String text, int offset) {
    int line = 0;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new Position(line, offset - lineStart);
  }

  /** The char offset of an LSP position (clamped to the text). */
  public static int offset(String text, Position p) {
    int offset = 0;
    for (int line = 0; line < p.getLine(); line++) {
      int next = text.indexOf('\n', offset);
      if (next < 0) {
        return text.length();
      }
      offset = next + 1;
    }
    return Math.min(text.length(), offset + p.getCharacter());
  }
}
