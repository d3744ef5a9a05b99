package dev.cromwell.benchmarks.eval;

import com.google.gson.JsonObject;
import dev.cromwell.benchmarks.TypingLatencyBench.QuietClient;
import dev.cromwell.benchmarks.TypingLatencyBench.Server;
import dev.cromwell.lsp.CromwellLanguageServer;
import dev.cromwell.lsp.LspLauncher;
import dev.cromwell.lsp.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.FileChangeType;
import org.eclipse.lsp4j.FileEvent;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.InlineCompletionContext;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.eclipse.lsp4j.InlineCompletionParams;
import org.eclipse.lsp4j.InlineCompletionTriggerKind;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.jsonrpc.Launcher;

/**
 * The editor path: Cromwell's LSP server, spoken to over OS pipes by an LSP4J client as an editor
 * would — a workspace folder, didOpen, an inline-completion request at the cursor, the suggestion
 * accepted as the editor applies it (its insert text over its range). Everything the server does
 * (prompt plan, FIM format, stop rules, post-processing) is in the path.
 */
public final class LspEditor implements AutoCloseable {
  private final Server server;
  private final OutputStream toServer;
  private final Path root;
  private int documents;

  /**
   * Starts the server with {@code model} and waits until it is loaded.
   *
   * @param settings extra Cromwell settings (e.g. contextBudget), as an editor's configuration
   */
  public LspEditor(Path model, int threads, int maxTokens, JsonObject settings) throws Exception {
    root = Files.createTempDirectory("cromwell-eval-workspace-");
    Pipe up = Pipe.open();
    Pipe down = Pipe.open();
    InputStream serverIn = Channels.newInputStream(up.source());
    toServer = Channels.newOutputStream(up.sink());
    InputStream clientIn = Channels.newInputStream(down.source());
    OutputStream toClient = Channels.newOutputStream(down.sink());
    JsonObject s = settings.deepCopy();
    s.addProperty("model", model.toAbsolutePath().toString());
    s.addProperty("threads", threads);
    s.addProperty("maxTokens", maxTokens);
    s.addProperty("timeLimitMs", 60_000);
    s.addProperty("debounceMs", 0);
    CromwellLanguageServer impl = CromwellLanguageServer.withModels(ServerConfig.defaults());
    Thread t = new Thread(() -> LspLauncher.serve(impl, serverIn, toClient), "eval-lsp-server");
    t.setDaemon(true);
    t.start();
    Launcher<Server> launcher =
        new Launcher.Builder<Server>()
            .setLocalService(new QuietClient())
            .setRemoteInterface(Server.class)
            .setInput(clientIn)
            .setOutput(toServer)
            .create();
    launcher.startListening();
    server = launcher.getRemoteProxy();
    InitializeParams init = new InitializeParams();
    init.setCapabilities(new ClientCapabilities());
    init.setInitializationOptions(s);
    init.setWorkspaceFolders(
        List.of(new org.eclipse.lsp4j.WorkspaceFolder(root.toUri().toString(), "eval")));
    server.initialize(init).get(60, TimeUnit.SECONDS);
    server.initialized(new InitializedParams());
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (!"ready".equals(server.status().get().get("modelState"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the LSP server did not load " + model + " in 5 minutes");
      }
      Thread.sleep(50);
    }
  }

  /**
   * The document after the user accepts the suggestion at char {@code offset} of {@code text}
   * (unchanged when there is none).
   */
  public String acceptSuggestion(String text, int offset) throws Exception {
    Path file = root.resolve("task_" + (++documents) + ".py");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    String uri = file.toUri().toString();
    server
        .getTextDocumentService()
        .didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "python", 1, text)));
    try {
      var answer =
          server
              .getTextDocumentService()
              .inlineCompletion(
                  new InlineCompletionParams(
                      new TextDocumentIdentifier(uri),
                      position(text, offset),
                      new InlineCompletionContext(InlineCompletionTriggerKind.Automatic)))
              .get(5, TimeUnit.MINUTES);
      List<InlineCompletionItem> items =
          answer.isLeft() ? answer.getLeft() : answer.getRight().getItems();
      if (items.isEmpty()) {
        return text;
      }
      InlineCompletionItem item = items.get(0);
      String insert = item.getInsertText().getLeft();
      int start = item.getRange() == null ? offset : offset(text, item.getRange().getStart());
      int end = item.getRange() == null ? offset : offset(text, item.getRange().getEnd());
      return text.substring(0, start) + insert + text.substring(end);
    } finally {
      server
          .getTextDocumentService()
          .didClose(new DidCloseTextDocumentParams(new TextDocumentIdentifier(uri)));
      // Closing re-reads the file from disk into the workspace index; the deletion must reach
      // the server too (as an editor's file watcher sends it), or every earlier task's file stays
      // indexed and turns up as a snippet in later prompts: the same problem with the line now
      // masked still in it, which leaked answers into the editor path's FIM scores.
      Files.deleteIfExists(file);
      server
          .getWorkspaceService()
          .didChangeWatchedFiles(
              new DidChangeWatchedFilesParams(List.of(new FileEvent(uri, FileChangeType.Deleted))));
    }
  }

  /** How many files the server's workspace index holds (0 between tasks). */
  public int indexedFiles() throws Exception {
    Object n = server.status().get(30, TimeUnit.SECONDS).get("indexedFiles");
    return n == null ? -1 : ((Number) n).intValue();
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

  static int offset(String text, Position p) {
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

  @Override
  public void close() throws IOException {
    try {
      server.shutdown().get(30, TimeUnit.SECONDS);
      server.exit();
    } catch (Exception e) {
      // the process ends anyway
    }
    toServer.close();
    Files.deleteIfExists(root);
  }
}
