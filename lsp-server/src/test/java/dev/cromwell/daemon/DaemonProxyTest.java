package dev.cromwell.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy against daemons that misbehave, each a socket in a temporary folder played by the test:
 * one that drops the connection (its listener closed as it idled out), one that never accepts, one
 * that never ends the session, and a started daemon that exits because another holds the lock.
 */
@Timeout(60)
class DaemonProxyTest {
  @TempDir Path runDir;
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  private DaemonPaths paths() {
    return new DaemonPaths(
        runDir, runDir.resolve("d.sock"), runDir.resolve("d.lock"), runDir.resolve("d.log"));
  }

  private DaemonProxy proxy(Map<String, String> env) {
    return new DaemonProxy(paths(), env, err, Duration.ofSeconds(2), Duration.ofMillis(500));
  }

  private ServerSocketChannel listen() throws Exception {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(paths().socket()));
    return server;
  }

  private static InputStream editor() {
    return new ByteArrayInputStream("editor bytes".getBytes(StandardCharsets.UTF_8));
  }

  private Optional<Integer> serve(DaemonProxy.Policy policy, InputStream stdin) {
    return proxy(Map.of("CROMWELL_LAUNCHER", launcher().toString()))
        .serve(policy, new JsonObject(), 16, stdin, new ByteArrayOutputStream());
  }

  private Path launcher() {
    return runDir.resolve("launcher");
  }

  @Test
  void aConnectionDroppedBeforeTheAcknowledgementLeavesTheSessionToTheProxy() throws Exception {
    try (ServerSocketChannel server = listen()) {
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  server.accept().close(); // as an idling daemon drops it: no acknowledgement
                } catch (Exception e) {
                  // the test fails below if this never ran
                }
              });
      InputStream stdin = editor();
      assertEquals(Optional.empty(), serve(DaemonProxy.Policy.CONNECT, stdin));
      assertEquals(12, stdin.available(), "nothing of the editor's was read");
    }
  }

  @Test
  void aListenerThatNeverAcceptsTimesOutAndLeavesTheSessionToTheProxy() throws Exception {
    try (ServerSocketChannel server = listen()) {
      assertTrue(server.isOpen()); // bound, its backlog takes the connection, never accepted
      InputStream stdin = editor();
      long start = System.nanoTime();
      assertEquals(Optional.empty(), serve(DaemonProxy.Policy.CONNECT, stdin));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 6_000, "gave up after " + ms + " ms");
      assertEquals(12, stdin.available(), "nothing of the editor's was read");
    }
  }

  @Test
  void aDaemonThatNeverEndsTheSessionEndsTheProxyWithOneLine() throws Exception {
    try (ServerSocketChannel server = listen()) {
      Thread.ofVirtual()
          .start(
              () -> {
                try (SocketChannel c = server.accept()) {
                  DaemonWire.Hello.read(Channels.newInputStream(c));
                  c.write(java.nio.ByteBuffer.wrap(new byte[] {DaemonWire.ACK}));
                  Channels.newInputStream(c).transferTo(java.io.OutputStream.nullOutputStream());
                  Thread.sleep(60_000); // stuck: never sends the exit code
                } catch (Exception e) {
                  // closed by the proxy
                }
              });
      long start = System.nanoTime();
      assertEquals(Optional.of(1), serve(DaemonProxy.Policy.CONNECT, editor()));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 6_000, "ended after " + ms + " ms");
      String text = errBytes.toString(StandardCharsets.UTF_8);
      assertTrue(text.contains("did not end the session"), text);
      assertEquals(1, text.lines().count(), text);
    }
  }

  @Test
  void aStartedDaemonThatFindsTheLockHeldDoesNotMakeTheProxyWaitItsFullDeadline() throws Exception {
    Files.writeString(launcher(), "#!/bin/sh\nexit 0\n");
    assertTrue(launcher().toFile().setExecutable(true));
    DaemonProxy proxy =
        proxy(
            Map.of("CROMWELL_LAUNCHER", launcher().toString(), "CROMWELL_DAEMON_WAIT_MS", "30000"));
    long start = System.nanoTime();
    assertEquals(
        Optional.empty(),
        proxy.serve(
            DaemonProxy.Policy.AUTO, new JsonObject(), 16, editor(), new ByteArrayOutputStream()));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < 10_000, "waited " + ms + " ms");
    String text = errBytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("holds the lock"), text);
  }
}
