package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cromwell.lsp.rpc.FrameLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, finding 4: {@code lsp --port} let any local process in and control the server. Now a
 * client needs the token from a 0600 file; one is served at a time, the next is told so; the
 * listener outlives its clients; a client that never initializes is disconnected after a timeout
 * instead of holding the port.
 */
@Timeout(60)
class TcpServerTest {
  @TempDir Path dir;

  /** A raw TCP client. */
  static final class Client implements AutoCloseable {
    final Socket socket;
    final InputStream in;

    Client(int port) throws IOException {
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setSoTimeout(15_000);
      in = socket.getInputStream();
    }

    void send(String json) throws IOException {
      socket.getOutputStream().write(ClientFrames.frame(json).getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
    }

    /** The next message, or null when the server closed the connection. */
    JsonObject next() throws IOException {
      return ClientFrames.read(in);
    }

    JsonObject answerTo(int id) throws IOException {
      JsonObject o;
      while ((o = next()) != null) {
        if (ClientFrames.isAnswerTo(o, id)) {
          return o;
        }
      }
      throw new AssertionError("the connection closed before the answer to " + id);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  static String initialize(int id, String token) {
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + id
        + ",\"method\":\"initialize\",\"params\":{\"capabilities\":{}"
        + (token == null ? "" : ",\"initializationOptions\":{\"token\":\"" + token + "\"}")
        + "}}";
  }

  @Test
  void aClientNeedsTheTokenAndOneIsServedAtATime() throws Exception {
    Path tokenFile = dir.resolve("run").resolve("lsp.token");
    ServerSocket socket = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
    String token = TcpServer.writeToken(tokenFile);
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
    assertEquals(token, Files.readString(tokenFile).strip());
    TcpServer server =
        listen(socket, token, tokenFile, System.err, TcpServer.DEFAULT_INITIALIZE_TIMEOUT);
    int port = socket.getLocalPort();
    try {
      // No token: the request is refused, initialize is refused, and the connection is closed.
      try (Client intruder = new Client(port)) {
        intruder.send(RawLsp.status(1));
        assertEquals(-32002, intruder.answerTo(1).getAsJsonObject("error").get("code").getAsInt());
        intruder.send(initialize(2, "0123"));
        JsonObject refused = intruder.answerTo(2);
        assertTrue(
            refused.getAsJsonObject("error").get("message").getAsString().contains("token"),
            refused.toString());
        assertEquals(null, intruder.next(), "the connection stays open without a token");
      }
      awaitFree(server, port);
      try (Client editor = new Client(port)) {
        editor.send(initialize(1, token));
        assertTrue(editor.answerTo(1).has("result"));
        editor.send(RawLsp.status(2));
        assertTrue(editor.answerTo(2).has("result"));
        try (Client second = new Client(port)) {
          JsonObject told = second.next();
          assertTrue(told.toString().contains("another client"), told.toString());
          assertEquals(null, second.next());
        }
      }
      // The first client left: the listener is still there and serves the next one.
      awaitFree(server, port);
      try (Client next = new Client(port)) {
        next.send(initialize(1, token));
        assertTrue(next.answerTo(1).has("result"));
      }
    } finally {
      socket.close();
    }
  }

  @Test
  void aClientThatNeverInitializesIsDisconnectedAndTheNextOneServed() throws Exception {
    Path tokenFile = dir.resolve("lsp.token");
    ServerSocket socket = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
    String token = TcpServer.writeToken(tokenFile);
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    TcpServer server =
        listen(
            socket,
            token,
            tokenFile,
            new java.io.PrintStream(logged, true, StandardCharsets.UTF_8),
            java.time.Duration.ofSeconds(1));
    int port = socket.getLocalPort();
    try {
      // One connects and sends nothing; another sends requests but never initialize.
      for (String traffic : new String[] {null, RawLsp.status(1)}) {
        long start = System.nanoTime();
        try (Client silent = new Client(port)) {
          if (traffic != null) {
            silent.send(traffic);
            assertEquals(
                -32002, silent.answerTo(1).getAsJsonObject("error").get("code").getAsInt());
          }
          assertEquals(null, silent.next(), "the server closes the connection");
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 900 && millis < 5_000, "disconnected after " + millis + " ms");
        awaitFree(server, port);
      }
      String log = logged.toString(StandardCharsets.UTF_8);
      assertEquals(2, log.lines().filter(l -> l.contains("sent no initialize")).count(), log);
      assertTrue(log.contains("within 1000 ms; disconnected"), log);
      // The port is free again: a client with the token is served, past the timeout too.
      try (Client editor = new Client(port)) {
        editor.send(initialize(1, token));
        assertTrue(editor.answerTo(1).has("result"));
        Thread.sleep(1_500);
        editor.send(RawLsp.status(2));
        assertTrue(editor.answerTo(2).has("result"), "an initialized client is not timed out");
      }
    } finally {
      socket.close();
    }
  }

  /** A server with stub completers listening on {@code socket} in a daemon thread. */
  private static TcpServer listen(
      ServerSocket socket,
      String token,
      Path tokenFile,
      java.io.PrintStream log,
      java.time.Duration initializeTimeout) {
    TcpServer server =
        new TcpServer(
            () -> new CromwellLanguageServer(LspServerTest.config(0), c -> new StubCompleter("x")),
            FrameLimits.defaults(),
            log,
            initializeTimeout);
    Thread listener =
        new Thread(
            () -> {
              try {
                server.serve(socket, token, tokenFile);
              } catch (IOException e) {
                // the test closed the socket
              }
            });
    listener.setDaemon(true);
    listener.start();
    return server;
  }

  /** Waits until the previous client's session has ended. */
  private static void awaitFree(TcpServer server, int port) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (server.busy() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
  }
}
