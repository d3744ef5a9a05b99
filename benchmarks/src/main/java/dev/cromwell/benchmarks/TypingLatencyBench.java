package dev.cromwell.benchmarks;

import com.google.gson.JsonObject;
import dev.cromwell.lsp.CromwellLanguageServer;
import dev.cromwell.lsp.LspLauncher;
import dev.cromwell.lsp.ServerConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.InlineCompletionContext;
import org.eclipse.lsp4j.InlineCompletionItem;
import org.eclipse.lsp4j.InlineCompletionParams;
import org.eclipse.lsp4j.InlineCompletionTriggerKind;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Replays a typing session (about 200 keystrokes with pauses) into a 2,000-token Python file
 * through the real LSP server over OS pipes, and reports the time from each keystroke's didChange
 * to its inline completion result, with per-document KV reuse on and off.
 */
@Command(
    name = "typing-latency",
    mixinStandardHelpOptions = true,
    description = "LSP completion latency while typing.")
public final class TypingLatencyBench implements Callable<Integer> {
  @Option(
      names = {"-m", "--model"},
      required = true,
      description = "GGUF model (a FIM-capable one)")
  Path model;

  @Option(
      names = {"-t", "--threads"},
      defaultValue = "2")
  int threads;

  @Option(names = "--max-tokens", defaultValue = "16")
  int maxTokens;

  @Option(names = "--load", defaultValue = "copy")
  String load;

  @Option(
      names = "--pause-ms",
      defaultValue = "2500",
      description = "pause after a line or 25 characters (default: ${DEFAULT-VALUE})")
  int pauseMillis;

  /** Cromwell's LSP server as a client sees it: the standard protocol plus its status request. */
  public interface Server extends LanguageServer {
    @JsonRequest("cromwell/status")
    CompletableFuture<Map<String, Object>> status();
  }

  /** A client that ignores what the server tells it, except messages meant for the user. */
  public static final class QuietClient implements LanguageClient {
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

  @Override
  public Integer call() throws Exception {
    for (boolean reuse : new boolean[] {true, false}) {
      run(reuse);
    }
    return 0;
  }

  static String pythonFile() {
    StringBuilder sb =
        new StringBuilder(
            "import math\nfrom dataclasses import dataclass\n\n\n@dataclass\nclass Item:\n    price: float\n    quantity: int\n\n\n");
    for (int i = 0; i < 48; i++) {
      sb.append("def compute_total_")
          .append(i)
          .append("(items, discount):\n")
          .append(
              "    total = 0\n    for item in items:\n        total += item.price * item.quantity\n")
          .append("    return total * (1 - discount) + ")
          .append(i)
          .append("\n\n\n");
    }
    return sb.toString();
  }

  private void run(boolean reuse) throws Exception {
    Pipe up = Pipe.open();
    Pipe down = Pipe.open();
    InputStream serverIn = Channels.newInputStream(up.source());
    OutputStream toServer = Channels.newOutputStream(up.sink());
    InputStream clientIn = Channels.newInputStream(down.source());
    OutputStream toClient = Channels.newOutputStream(down.sink());
    JsonObject settings = new JsonObject();
    settings.addProperty("model", model.toAbsolutePath().toString());
    settings.addProperty("threads", threads);
    settings.addProperty("maxTokens", maxTokens);
    settings.addProperty("timeLimitMs", 10_000);
    settings.addProperty("loadMode", load);
    settings.addProperty("kvReuse", reuse);
    CromwellLanguageServer impl = CromwellLanguageServer.withModels(ServerConfig.defaults());
    Thread serverThread =
        new Thread(() -> LspLauncher.serve(impl, serverIn, toClient), "bench-server");
    serverThread.setDaemon(true);
    serverThread.start();
    Launcher<Server> launcher =
        new Launcher.Builder<Server>()
            .setLocalService(new QuietClient())
            .setRemoteInterface(Server.class)
            .setInput(clientIn)
            .setOutput(toServer)
            .create();
    launcher.startListening();
    Server server = launcher.getRemoteProxy();
    InitializeParams init = new InitializeParams();
    init.setCapabilities(new ClientCapabilities());
    init.setInitializationOptions(settings);
    server.initialize(init).get(30, TimeUnit.SECONDS);
    server.initialized(new InitializedParams());
    while (!"ready".equals(server.status().get().get("modelState"))) {
      Thread.sleep(50);
    }
    String uri = "file:///bench/typing.py";
    String text = pythonFile();
    server
        .getTextDocumentService()
        .didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "python", 1, text)));
    int line = text.substring(0, text.indexOf("def compute_total_24")).split("\n", -1).length - 1;
    String typed =
        "def average_price(items):\n    if not items:\n        return 0\n    prices = [item.price for item in items]\n    return sum(prices) / len(prices)\n\n\ndef cheapest(items):\n    return min(items, key=lambda item: item.price)\n\n\n";
    int version = 1;
    int column = 0;
    List<Double> served = new ArrayList<>();
    // Warm-up: one completion before timing.
    long w0 = System.nanoTime();
    request(server, uri, line, column).get(120, TimeUnit.SECONDS);
    System.err.printf("warm-up completion: %.0f ms%n", (System.nanoTime() - w0) / 1e6);
    java.util.concurrent.atomic.AtomicLong lastKeystroke =
        new java.util.concurrent.atomic.AtomicLong();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int i = 0; i < typed.length(); i++) {
      char c = typed.charAt(i);
      version++;
      var change =
          new TextDocumentContentChangeEvent(
              new Range(new Position(line, column), new Position(line, column)), String.valueOf(c));
      long sent = System.nanoTime();
      lastKeystroke.set(sent);
      server
          .getTextDocumentService()
          .didChange(
              new DidChangeTextDocumentParams(
                  new VersionedTextDocumentIdentifier(uri, version), List.of(change)));
      if (c == '\n') {
        line++;
        column = 0;
      } else {
        column++;
      }
      pending.add(
          request(server, uri, line, column)
              .thenAccept(
                  items -> {
                    // What the user sees: the answer to the latest keystroke, before the next one.
                    if (lastKeystroke.get() == sent) {
                      synchronized (served) {
                        served.add((System.nanoTime() - sent) / 1e6);
                      }
                    }
                  }));
      boolean pause = c == '\n' || i % 25 == 24;
      Thread.sleep(pause ? pauseMillis : 60);
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
    Map<String, Object> status = server.status().get();
    server.shutdown().get(30, TimeUnit.SECONDS);
    server.exit();
    @SuppressWarnings("unchecked")
    Map<String, Object> stats = (Map<String, Object>) status.get("stats");
    double completed = ((Number) stats.get("completed")).doubleValue();
    served.sort(null);
    double p50 = served.isEmpty() ? 0 : served.get(served.size() / 2);
    double p95 =
        served.isEmpty()
            ? 0
            : served.get(Math.min(served.size() - 1, (int) Math.ceil(served.size() * 0.95) - 1));
    System.out.printf(
        "kv reuse %-5s: %d keystrokes, %d answered before the next keystroke, %.0f completions run, %.0f superseded; latency p50 %.0f ms, p95 %.0f ms; prompt tokens computed per completion %.0f (reused %.0f)%n",
        reuse,
        typed.length(),
        served.size(),
        completed,
        ((Number) stats.get("superseded")).doubleValue(),
        p50,
        p95,
        ((Number) stats.get("computedTokens")).doubleValue() / Math.max(1, completed),
        ((Number) stats.get("reusedTokens")).doubleValue() / Math.max(1, completed));
    toServer.close();
  }

  private static CompletableFuture<List<InlineCompletionItem>> request(
      Server server, String uri, int line, int column) {
    return server
        .getTextDocumentService()
        .inlineCompletion(
            new InlineCompletionParams(
                new TextDocumentIdentifier(uri),
                new Position(line, column),
                new InlineCompletionContext(InlineCompletionTriggerKind.Automatic)))
        .thenApply(e -> e.getRight().getItems());
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new TypingLatencyBench()).execute(args));
  }
}
