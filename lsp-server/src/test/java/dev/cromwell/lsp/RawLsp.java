package dev.cromwell.lsp;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cromwell.lsp.rpc.FrameLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The server on OS pipes, driven with raw bytes: what a broken or hostile client sends. Answers are
 * parsed by a strict, independent frame reader (not the server's).
 */
final class RawLsp implements AutoCloseable {
  final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
  final List<String> log = new CopyOnWriteArrayList<>();
  final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
  private final OutputStream toServer;
  private final OutputStream serverOut;

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
    Thread reader = new Thread(() -> readAnswers(fromServer), "raw-lsp-client");
    reader.setDaemon(true);
    reader.start();
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
    return "Content-Length: " + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
  }

  static String status(int id) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"cromwell/status\"}";
  }

  /** The next answer, or fails after {@code seconds}. */
  JsonObject answer(int seconds) throws InterruptedException {
    JsonObject o = received.poll(seconds, TimeUnit.SECONDS);
    if (o == null) {
      throw new AssertionError("no answer within " + seconds + " s; server log: " + log);
    }
    return o;
  }

  /** The answer to request {@code id}, skipping notifications and other answers. */
  JsonObject answerTo(int id, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      JsonObject o = received.poll(100, TimeUnit.MILLISECONDS);
      if (o != null && o.has("id") && !o.get("id").isJsonNull() && o.get("id").getAsInt() == id) {
        return o;
      }
    }
    throw new AssertionError("no answer to " + id + " within " + seconds + " s; log: " + log);
  }

  void closeInput() throws IOException {
    toServer.close();
  }

  private void readAnswers(InputStream in) {
    try {
      while (true) {
        int length = -1;
        String line;
        while (!(line = readLine(in)).isEmpty()) {
          if (line.startsWith("Content-Length: ")) {
            length = Integer.parseInt(line.substring(16));
          }
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
          return;
        }
        received.add(
            JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject());
      }
    } catch (IOException | RuntimeException e) {
      // stream closed
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("closed");
      }
      line.write(b);
    }
    String s = line.toString(StandardCharsets.US_ASCII);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
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
