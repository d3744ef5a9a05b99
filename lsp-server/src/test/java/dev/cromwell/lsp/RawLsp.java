package dev.cromwell.lsp;

import com.google.gson.JsonObject;
import dev.cromwell.lsp.rpc.FrameLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The server on OS pipes, driven with raw bytes: what a broken or hostile client sends. Answers are
 * parsed by a strict, independent frame reader (not the server's).
 */
final class RawLsp implements AutoCloseable {
  final List<String> log = new CopyOnWriteArrayList<>();
  final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
  private final OutputStream toServer;
  private final OutputStream serverOut;
  private final ClientFrames.Inbox inbox;

  RawLsp(ServerConfig config, FrameLimits limits) throws IOException {
    this(config, limits, c -> new StubCompleter("x"));
  }

  RawLsp(ServerConfig config, FrameLimits limits, Function<ServerConfig, Completer> completers)
      throws IOException {
    Pipe up = Pipe.open();
    Pipe down = Pipe.open();
    InputStream serverIn = Channels.newInputStream(up.source());
    toServer = Channels.newOutputStream(up.sink());
    serverOut = Channels.newOutputStream(down.sink());
    InputStream fromServer = Channels.newInputStream(down.source());
    CromwellLanguageServer impl = new CromwellLanguageServer(config, completers);
    Thread server =
        new Thread(
            () -> {
              try {
                exitCode.complete(LspLauncher.serve(impl, serverIn, serverOut, limits, log::add));
              } catch (RuntimeException e) {
                exitCode.completeExceptionally(e);
              }
            },
            "raw-lsp-server");
    server.setDaemon(true);
    server.start();
    inbox = new ClientFrames.Inbox(fromServer, "raw-lsp-client");
  }

  /** Sends {@code initialize} (id 1000) and waits for its answer, as every client must first. */
  RawLsp initialize() throws IOException, InterruptedException {
    send(
        frame(
            "{\"jsonrpc\":\"2.0\",\"id\":1000,\"method\":\"initialize\","
                + "\"params\":{\"capabilities\":{}}}"));
    answerTo(1000, 10);
    return this;
  }

  void send(String raw) throws IOException {
    send(raw.getBytes(StandardCharsets.UTF_8));
  }

  void send(byte[] raw) throws IOException {
    toServer.write(raw);
    toServer.flush();
  }

  /** A correctly framed message. */
  static String frame(String json) {
    return ClientFrames.frame(json);
  }

  static String status(int id) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"cromwell/status\"}";
  }

  /** The answer to request {@code id}, skipping notifications and other answers. */
  JsonObject answerTo(int id, int seconds) throws InterruptedException {
    return inbox.answerTo(id, seconds, () -> "server log: " + log);
  }

  void closeInput() throws IOException {
    toServer.close();
  }

  @Override
  public void close() throws IOException {
    toServer.close();
    try {
      exitCode.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("server did not end", e);
    } finally {
      serverOut.close();
    }
  }
}
