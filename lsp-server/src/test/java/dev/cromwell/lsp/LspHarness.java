package dev.cromwell.lsp;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.GeneralClientCapabilities;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.ProgressParams;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.WindowClientCapabilities;
import org.eclipse.lsp4j.WorkDoneProgressCreateParams;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;

/** A real LSP4J client talking to a real server over piped streams. */
final class LspHarness implements AutoCloseable {
  /** The server as the client sees it, with Cromwell's custom request. */
  interface Server extends LanguageServer {
    @JsonRequest("cromwell/status")
    CompletableFuture<Map<String, Object>> status();
  }

  static final class Client implements LanguageClient {
    final List<MessageParams> shown = new CopyOnWriteArrayList<>();
    final List<MessageParams> logged = new CopyOnWriteArrayList<>();
    final List<ProgressParams> progress = new CopyOnWriteArrayList<>();
    final List<org.eclipse.lsp4j.ApplyWorkspaceEditParams> applied = new CopyOnWriteArrayList<>();
    final List<ShowMessageRequestParams> asked = new CopyOnWriteArrayList<>();

    /** The action the user picks in window/showMessageRequest; null dismisses it. */
    volatile String answer;

    /** What answers window/workDoneProgress/create; a test may hold it back. */
    volatile CompletableFuture<Void> progressCreated = CompletableFuture.completedFuture(null);

    /** What the client answers workspace/applyEdit: applied, or refused (as an editor may). */
    volatile boolean applies = true;

    @Override
    public CompletableFuture<org.eclipse.lsp4j.ApplyWorkspaceEditResponse> applyEdit(
        org.eclipse.lsp4j.ApplyWorkspaceEditParams params) {
      applied.add(params);
      return CompletableFuture.completedFuture(
          new org.eclipse.lsp4j.ApplyWorkspaceEditResponse(applies));
    }

    @Override
    public void telemetryEvent(Object object) {}

    @Override
    public void publishDiagnostics(PublishDiagnosticsParams diagnostics) {}

    @Override
    public void showMessage(MessageParams messageParams) {
      shown.add(messageParams);
    }

    @Override
    public CompletableFuture<MessageActionItem> showMessageRequest(
        ShowMessageRequestParams requestParams) {
      asked.add(requestParams);
      return CompletableFuture.completedFuture(
          answer == null ? null : new MessageActionItem(answer));
    }

    @Override
    public void logMessage(MessageParams message) {
      logged.add(message);
    }

    @Override
    public CompletableFuture<Void> createProgress(WorkDoneProgressCreateParams params) {
      return progressCreated;
    }

    @Override
    public void notifyProgress(ProgressParams params) {
      progress.add(params);
    }
  }

  final Client client = new Client();

  /** Whether initialize advertises codeAction resolveSupport for "edit" (VS Code, Neovim do). */
  boolean resolveSupport = true;

  /** Whether the client declares inline completions (LSP 3.18), as VS Code does. */
  boolean inlineCompletion = false;

  final Server server;
  final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
  private final java.io.OutputStream toServer;
  private final java.io.OutputStream toClient;

  LspHarness(ServerConfig config, Function<ServerConfig, Completer> completers) throws IOException {
    this(new CromwellLanguageServer(config, completers));
  }

  /** A client connected over OS pipes to {@code impl}. */
  LspHarness(CromwellLanguageServer impl) throws IOException {
    // OS pipes: unlike java.io piped streams they do not break when a writing thread ends.
    java.nio.channels.Pipe up = java.nio.channels.Pipe.open();
    java.nio.channels.Pipe down = java.nio.channels.Pipe.open();
    java.io.InputStream serverIn = java.nio.channels.Channels.newInputStream(up.source());
    toServer = java.nio.channels.Channels.newOutputStream(up.sink());
    java.io.InputStream clientIn = java.nio.channels.Channels.newInputStream(down.source());
    toClient = java.nio.channels.Channels.newOutputStream(down.sink());
    Thread serverThread =
        new Thread(
            () -> {
              try {
                exitCode.complete(LspLauncher.serve(impl, serverIn, toClient));
              } catch (RuntimeException e) {
                exitCode.completeExceptionally(e);
              }
            },
            "test-lsp-server");
    serverThread.setDaemon(true);
    serverThread.start();
    Launcher<Server> launcher =
        new Launcher.Builder<Server>()
            .setLocalService(client)
            .setRemoteInterface(Server.class)
            .setInput(clientIn)
            .setOutput(toServer)
            .create();
    launcher.startListening();
    server = launcher.getRemoteProxy();
  }

  InitializeResult initialize(JsonObject options, List<String> encodings, String rootUri)
      throws Exception {
    InitializeParams params = new InitializeParams();
    ClientCapabilities caps = new ClientCapabilities();
    GeneralClientCapabilities general = new GeneralClientCapabilities();
    general.setPositionEncodings(encodings);
    caps.setGeneral(general);
    WindowClientCapabilities window = new WindowClientCapabilities();
    window.setWorkDoneProgress(true);
    caps.setWindow(window);
    org.eclipse.lsp4j.WorkspaceClientCapabilities workspace =
        new org.eclipse.lsp4j.WorkspaceClientCapabilities();
    workspace.setApplyEdit(true);
    caps.setWorkspace(workspace);
    if (resolveSupport) {
      org.eclipse.lsp4j.CodeActionCapabilities actions =
          new org.eclipse.lsp4j.CodeActionCapabilities();
      actions.setResolveSupport(
          new org.eclipse.lsp4j.CodeActionResolveSupportCapabilities(List.of("edit")));
      org.eclipse.lsp4j.TextDocumentClientCapabilities text =
          new org.eclipse.lsp4j.TextDocumentClientCapabilities();
      text.setCodeAction(actions);
      caps.setTextDocument(text);
    }
    if (inlineCompletion) {
      if (caps.getTextDocument() == null) {
        caps.setTextDocument(new org.eclipse.lsp4j.TextDocumentClientCapabilities());
      }
      caps.getTextDocument()
          .setInlineCompletion(new org.eclipse.lsp4j.InlineCompletionCapabilities());
    }
    params.setCapabilities(caps);
    params.setInitializationOptions(options);
    params.setRootUri(rootUri);
    InitializeResult result = server.initialize(params).get(10, TimeUnit.SECONDS);
    server.initialized(new InitializedParams());
    return result;
  }

  /** Polls cromwell/status until {@code key} equals {@code value}, or fails after 20 s. */
  Map<String, Object> awaitStatus(String key, Object value) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    Map<String, Object> status;
    do {
      status = server.status().get(10, TimeUnit.SECONDS);
      if (value.equals(status.get(key))) {
        return status;
      }
      Thread.sleep(20);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError("status " + key + " never became " + value + ": " + status);
  }

  @Override
  public void close() throws IOException {
    try {
      server.shutdown().get(10, TimeUnit.SECONDS);
      server.exit();
      exitCode.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while closing", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("server did not shut down cleanly", e);
    } finally {
      toServer.close();
      toClient.close();
    }
  }
}
