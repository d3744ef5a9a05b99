package dev.cromwell.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon in this JVM: it acknowledges a greeting before the session's bytes, drops a connection
 * that sends none within its deadline, and then idles out (that connection does not hold it).
 */
@Timeout(60)
class LspDaemonHelloTest {
  @TempDir Path runDir;

  @Test
  void aGreetingIsAcknowledgedAndASilentConnectionIsDroppedSoTheDaemonIdlesOut() throws Exception {
    DaemonPaths paths =
        new DaemonPaths(
            runDir, runDir.resolve("d.sock"), runDir.resolve("d.lock"), runDir.resolve("d.log"));
    ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
    LspDaemon daemon = new LspDaemon(paths, Duration.ofMillis(500), Duration.ofMillis(1_500), log);
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                exit.complete(daemon.run());
              } catch (Throwable t) {
                exit.completeExceptionally(t);
              }
            });
    long deadline = System.currentTimeMillis() + 10_000;
    while (!Files.exists(paths.socket()) && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    try (SocketChannel silent = SocketChannel.open(StandardProtocolFamily.UNIX);
        SocketChannel greeting = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      silent.connect(UnixDomainSocketAddress.of(paths.socket()));
      greeting.connect(UnixDomainSocketAddress.of(paths.socket()));
      greeting.write(ByteBuffer.wrap(new DaemonWire.Hello(new JsonObject(), 16, null).line()));
      ByteBuffer ack = ByteBuffer.allocate(1);
      assertEquals(1, greeting.read(ack));
      assertEquals(DaemonWire.ACK, ack.get(0));
      greeting.shutdownOutput(); // the editor left at once: the session ends with an exit code
      DaemonWire.copyChunks(Channels.newInputStream(greeting), new ByteArrayOutputStream());
      long start = System.nanoTime();
      assertEquals(-1, silent.read(ByteBuffer.allocate(1)), "the silent one was dropped");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 5_000, "dropped after " + ms + " ms");
      assertEquals(0, exit.get(20, TimeUnit.SECONDS), logBytes.toString(StandardCharsets.UTF_8));
    }
    assertFalse(Files.exists(paths.socket()), "the idle daemon left its socket");
    assertTrue(
        logBytes.toString(StandardCharsets.UTF_8).contains("no greeting"),
        logBytes.toString(StandardCharsets.UTF_8));
  }
}
