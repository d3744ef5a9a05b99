package dev.cromwell.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that hung up is noticed at the first token after it, over a real loopback socket of the
 * JDK server: one {@link ApiExchange#probe} after the hang-up fails, where a single write would
 * still succeed (it only draws the client's reset).
 */
class HangUpProbeTest {
  @Test
  void theFirstProbeAfterAHangUpFails() throws Exception {
    CountDownLatch hungUp = new CountDownLatch(1);
    CompletableFuture<String> firstProbe = new CompletableFuture<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          ApiExchange x = new ApiExchange(exchange, 1000);
          try {
            x.startStream("text/event-stream");
            x.write("data: first\n\n"); // a token the client reads before it hangs up
            hungUp.await(10, TimeUnit.SECONDS);
            x.probe(":\n");
            firstProbe.complete("succeeded");
          } catch (IOException e) {
            firstProbe.complete("failed");
          } catch (InterruptedException e) {
            firstProbe.completeExceptionally(e);
          } finally {
            exchange.close();
          }
        });
    server.start();
    try {
      try (Socket socket = new Socket("127.0.0.1", server.getAddress().getPort())) {
        OutputStream out = socket.getOutputStream();
        out.write(
            "POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        readFirstToken(socket.getInputStream());
      } // hang up: the stream has started, nothing more is read
      hungUp.countDown();
      assertEquals("failed", firstProbe.get(10, TimeUnit.SECONDS));
    } finally {
      server.stop(0);
    }
  }

  private static void readFirstToken(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("data: first\n\n\r\n")) {
      int b = in.read();
      assertTrue(b >= 0, "the server closed before its headers: " + head);
      head.append((char) b);
    }
    assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
  }
}
