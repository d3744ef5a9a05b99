package dev.cromwell.benchmarks.eval;

import com.google.gson.JsonObject;
import dev.cromwell.benchmarks.LspClient;
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
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.FileChangeType;
import org.eclipse.lsp4j.FileEvent;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.eclipse.lsp4j.Range;

/**
 * The editor path: Cromwell's LSP server, spoken to over OS pipes by an LSP4J client as an editor
 * would — a workspace folder, didOpen, an inline-completion request at the cursor, the suggestion
 * accepted as the editor applies it (its insert text over its range). Everything the server does
 * (prompt plan, FIM format, stop rules, post-processing) is in the path.
 */
public final class LspEditor implements AutoCloseable {
  private final LspClient client;
  private final OutputStream toServer;
  private final Path root;
  private int documents;

  /**
   * Starts the server with {@code model} and waits until it is loaded.
   *
   * @param settings extra Cromwell settings (e.g. contextBudget), as an editor's configuration
   */
  public LspEditor(Path model, int threads, int maxTokens, JsonObject settings) throws Exception {
    this(model, threads, maxTokens, settings, List.of(), null);
  }

  /**
   * Starts the server on a workspace that holds a copy of {@code files} of {@code project}, and
   * waits until the model is loaded and those files are indexed (so every task sees them all).
   */
  public LspEditor(
      Path model, int threads, int maxTokens, JsonObject settings, List<String> files, Path project)
      throws Exception {
    root = Files.createTempDirectory("cromwell-eval-workspace-");
    for (String relative : files) {
      Path copy = root.resolve(relative);
      Files.createDirectories(copy.getParent());
      Files.copy(project.resolve(relative), copy);
    }
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
    client = new LspClient(clientIn, toServer);
    client.initialize(s, root, "eval");
    client.awaitReady(50, t::isAlive);
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (indexedFiles() < files.size() && System.nanoTime() < until) {
      Thread.sleep(100);
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
    try {
      return suggested(uri, text, offset);
    } finally {
      // Closing re-reads the file from disk into the workspace index; the deletion must reach
      // the server too (as an editor's file watcher sends it), or every earlier task's file stays
      // indexed and turns up as a snippet in later prompts: the same problem with the line now
      // masked still in it, which leaked answers into the editor path's FIM scores.
      Files.deleteIfExists(file);
      client
          .server()
          .getWorkspaceService()
          .didChangeWatchedFiles(
              new DidChangeWatchedFilesParams(List.of(new FileEvent(uri, FileChangeType.Deleted))));
    }
  }

  /**
   * The document after the user opens the workspace's file {@code relative} (a project file, which
   * stays on disk as it was), changed to {@code text}, and accepts the suggestion at char {@code
   * offset}.
   */
  public String acceptSuggestionIn(String relative, String text, int offset) throws Exception {
    return suggested(root.resolve(relative).toUri().toString(), text, offset);
  }

  /** Opens {@code uri} as {@code text}, accepts the suggestion at {@code offset}, closes it. */
  private String suggested(String uri, String text, int offset) throws Exception {
    client.open(uri, "python", text);
    try {
      List<InlineCompletionItem> items =
          client.inline(uri, LspClient.position(text, offset)).get(5, TimeUnit.MINUTES);
      if (items.isEmpty()) {
        return text;
      }
      InlineCompletionItem item = items.get(0);
      String insert = item.getInsertText().getLeft();
      Range range = item.getRange();
      int start = range == null ? offset : LspClient.offset(text, range.getStart());
      int end = range == null ? offset : LspClient.offset(text, range.getEnd());
      return text.substring(0, start) + insert + text.substring(end);
    } finally {
      // Closing re-reads the file from disk into the workspace index.
      client.close(uri);
    }
  }

  /** How many files the server's workspace index holds (0 between tasks). */
  public int indexedFiles() throws Exception {
    Object n = client.server().status().get(30, TimeUnit.SECONDS).get("indexedFiles");
    return n == null ? -1 : ((Number) n).intValue();
  }

  @Override
  public void close() throws IOException {
    client.shutdown(); // no answer: the server is a daemon thread, gone with the JVM
    toServer.close();
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
