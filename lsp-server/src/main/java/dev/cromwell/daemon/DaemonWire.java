package dev.cromwell.daemon;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the proxy and the daemon say around the editor's bytes. The proxy opens with one line,
 * {@code cromwell-daemon 1 {"defaults":{...},"maxMessageMb":N,"cwd":"..."}}: the options of its own
 * command line (the settings under the editor's), its frame limit and its working folder (the
 * folder the editor's relative paths mean). Then the editor's bytes follow as they are. The daemon
 * answers in chunks (a 4-byte length, then that many of the server's bytes), and ends with a
 * negative length that carries the server's exit code, so that the proxy can tell a session that
 * ended (exit code passed on) from a daemon that died (the stream ends without it).
 */
final class DaemonWire {
  static final String MAGIC = "cromwell-daemon 1 ";

  /**
   * The daemon's one-byte answer to the greeting: the session is taken. The proxy sends the
   * editor's bytes only after it, so that a connection the daemon drops (its listener closed as it
   * idled out) leaves the proxy free to serve the session itself.
   */
  static final byte ACK = 'k';

  /** Chunks the server may have queued for the proxy before its writes wait. */
  private static final int QUEUED_CHUNKS = 256;

  private static final int MAX_HELLO = 64 * 1024;

  private DaemonWire() {}

  /** The opening line the proxy sends. */
  record Hello(JsonObject defaults, int maxMessageMb, String cwd) {
    byte[] line() {
      JsonObject o = new JsonObject();
      o.add("defaults", defaults);
      o.addProperty("maxMessageMb", maxMessageMb);
      if (cwd != null) {
        o.addProperty("cwd", cwd);
      }
      return (MAGIC + o + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the opening line from {@code in}, byte by byte (the editor's bytes follow it). */
    static Hello read(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0 || line.size() > MAX_HELLO) {
          throw new IOException("the client sent no daemon greeting");
        }
        line.write(b);
      }
      String text = line.toString(StandardCharsets.UTF_8);
      if (!text.startsWith(MAGIC)) {
        throw new IOException("the client is not a cromwell lsp of this version");
      }
      JsonObject o = JsonParser.parseString(text.substring(MAGIC.length())).getAsJsonObject();
      return new Hello(
          o.getAsJsonObject("defaults"),
          o.get("maxMessageMb").getAsInt(),
          absoluteFolder(o.get("cwd")));
    }

    /**
     * The session's folder when it is an absolute path (relative model paths are resolved against
     * it); anything else is as if none was sent, never a relative path against the daemon's folder.
     */
    private static String absoluteFolder(JsonElement cwd) {
      if (cwd == null || !cwd.isJsonPrimitive() || !cwd.getAsJsonPrimitive().isString()) {
        return null;
      }
      try {
        return Path.of(cwd.getAsString()).isAbsolute() ? cwd.getAsString() : null;
      } catch (InvalidPathException e) {
        return null;
      }
    }
  }

  /**
   * The daemon's side of the editor's bytes, read on a thread of its own. The server interrupts its
   * reader when a session ends, and an interrupt during a channel's read closes the channel, which
   * would lose the exit code still to be sent on it; here only the pump touches the channel.
   */
  static InputStream uninterruptible(SocketChannel channel) throws IOException {
    PipedInputStream in = new PipedInputStream(65536);
    PipedOutputStream pump = new PipedOutputStream(in);
    Thread.ofPlatform()
        .daemon()
        .name("cromwell-daemon-read")
        .start(
            () -> {
              try (pump) {
                InputStream from = Channels.newInputStream(channel);
                byte[] buffer = new byte[65536];
                for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
                  pump.write(buffer, 0, n);
                  pump.flush(); // wakes the reader now (it otherwise polls once a second)
                }
              } catch (IOException e) {
                // the editor left, or the server stopped reading: either ends the input
              }
            });
    return in;
  }

  /**
   * The daemon's side of the server's bytes: in chunks, then the exit code, written by a thread of
   * its own (for the same reason as {@link #uninterruptible}: a writer interrupted mid-write would
   * close the channel).
   */
  static final class ChunkedOutput extends OutputStream {
    private static final byte[] END = new byte[0];
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
    private final Thread writer;
    private volatile int exitCode;
    private volatile boolean gone;
    private final AtomicLong sent = new AtomicLong();

    ChunkedOutput(SocketChannel channel) {
      DataOutputStream out =
          new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
      writer =
          Thread.ofPlatform()
              .daemon()
              .name("cromwell-daemon-write")
              .start(
                  () -> {
                    try {
                      while (true) {
                        byte[] chunk = queue.take();
                        if (chunk == END) {
                          out.writeInt(-1 - exitCode);
                          out.flush();
                          return;
                        }
                        out.writeInt(chunk.length);
                        out.write(chunk);
                        if (queue.isEmpty()) {
                          out.flush();
                        }
                        sent.incrementAndGet();
                      }
                    } catch (IOException | InterruptedException e) {
                      // the editor's proxy is gone: nothing to write to
                    } finally {
                      gone = true;
                      queue.clear(); // wakes a server waiting to queue more
                    }
                  });
    }

    @Override
    public void write(int b) throws IOException {
      enqueue(new byte[] {(byte) b});
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > 0) {
        enqueue(java.util.Arrays.copyOfRange(b, off, off + len));
      }
    }

    /** Queues a chunk, waiting while the proxy reads slower than the server writes. */
    private void enqueue(byte[] chunk) throws IOException {
      if (gone) {
        throw new IOException("the editor's proxy is gone");
      }
      try {
        queue.put(chunk);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while the proxy was slow to read");
      }
    }

    /**
     * Ends the stream with the server's exit code, once what was written before is sent: waits as
     * long as the proxy keeps reading, and up to 5 s once it stops.
     */
    void finish(int code) throws InterruptedException {
      exitCode = Math.max(0, code);
      if (gone) {
        return;
      }
      queue.put(END);
      for (long before = -1; writer.isAlive() && sent.get() != before; ) {
        before = sent.get();
        writer.join(5_000);
      }
    }
  }

  /**
   * The proxy's side: copies the daemon's chunks to {@code to}, flushing each, and returns the exit
   * code that ends them.
   *
   * @throws EOFException when the stream ends without an exit code (the daemon died)
   */
  static int copyChunks(InputStream from, OutputStream to) throws IOException {
    DataInputStream in = new DataInputStream(from);
    byte[] buffer = new byte[65536];
    while (true) {
      int len = in.readInt();
      if (len < 0) {
        return -1 - len;
      }
      while (len > 0) {
        int n = in.read(buffer, 0, Math.min(len, buffer.length));
        if (n < 0) {
          throw new EOFException();
        }
        to.write(buffer, 0, n);
        len -= n;
      }
      to.flush();
    }
  }
}
