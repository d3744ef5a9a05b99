package dev.cromwell.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's output to a proxy that does not read: its queue is bounded, not the heap; the
 * proxy's greeting.
 */
@Timeout(60)
class DaemonWireTest {
  @TempDir Path dir;

  @Test
  void aServerWritingToAProxyThatDoesNotReadWaitsAndAnInterruptEndsTheWait() throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(dir.resolve("w.sock")));
      // The proxy's end is connected but never read.
      try (SocketChannel unread = SocketChannel.open(server.getLocalAddress());
          SocketChannel daemon = server.accept()) {
        assertTrue(unread.isConnected());
        DaemonWire.ChunkedOutput out = new DaemonWire.ChunkedOutput(daemon);
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        byte[] chunk = new byte[64 * 1024];
        Thread writer =
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        for (int i = 0; i < 100_000; i++) { // 6 GB if nothing held it back
                          out.write(chunk, 0, chunk.length);
                        }
                        ended.complete(null);
                      } catch (Throwable t) {
                        ended.complete(t);
                      }
                    });
        Thread.sleep(1_000);
        assertTrue(writer.isAlive(), "the writes were not held back: " + ended.getNow(null));
        writer.interrupt();
        assertInstanceOf(InterruptedIOException.class, ended.get(10, TimeUnit.SECONDS));
      }
    }
  }

  private static DaemonWire.Hello roundTrip(DaemonWire.Hello hello) throws java.io.IOException {
    return DaemonWire.Hello.read(new java.io.ByteArrayInputStream(hello.line()));
  }

  @Test
  void theHelloCarriesTheSessionsFolderWhenItIsAbsolute() throws Exception {
    var defaults = com.google.gson.JsonParser.parseString("{\"model\":\"m.gguf\"}");
    var with =
        roundTrip(new DaemonWire.Hello(defaults.getAsJsonObject(), 8, "/home/me/my project"));
    assertEquals(defaults, with.defaults());
    assertEquals(8, with.maxMessageMb());
    assertEquals("/home/me/my project", with.cwd());
    assertNull(roundTrip(new DaemonWire.Hello(defaults.getAsJsonObject(), 8, null)).cwd());
    // A relative folder would mean the daemon's own: as if none was sent.
    assertNull(roundTrip(new DaemonWire.Hello(defaults.getAsJsonObject(), 8, "project")).cwd());
    assertNull(roundTrip(new DaemonWire.Hello(defaults.getAsJsonObject(), 8, "/a\0b")).cwd());
    byte[] numeric =
        ("cromwell-daemon 1 {\"defaults\":{},\"maxMessageMb\":8,\"cwd\":3}\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertNull(DaemonWire.Hello.read(new java.io.ByteArrayInputStream(numeric)).cwd());
  }
}
