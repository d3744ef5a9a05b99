package dev.cromwell.daemon;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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

/** The daemon's output to a proxy that does not read: its queue is bounded, not the heap. */
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
}
