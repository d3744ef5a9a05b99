package dev.cromwell.daemon;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * What the proxy and the daemon say around the editor's bytes. The proxy opens with one line,
 * {@code cromwell-daemon 1 {"defaults":{...},"maxMessageMb":N}}: the options of its own command
 * line (the settings under the editor's) and its frame limit. Then the editor's bytes follow as
 * they are. The daemon answers in chunks (a 4-byte length, then that many of the server's bytes),
 * and ends with a negative length that carries the server's exit code, so that the proxy can tell a
 * session that ended (exit code passed on) from a daemon that died (the stream ends without it).
 */
final class DaemonWire {
  static final String MAGIC = "cromwell-daemon 1 ";
  private static final int MAX_HELLO = 64 * 1024;

  private DaemonWire() {}

  /** The opening line the proxy sends. */
  record Hello(JsonObject defaults, int maxMessageMb) {
    byte[] line() {
      JsonObject o = new JsonObject();
      o.add("defaults", defaults);
      o.addProperty("maxMessageMb", maxMessageMb);
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
      return new Hello(o.getAsJsonObject("defaults"), o.get("maxMessageMb").getAsInt());
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
    private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile int exitCode;

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
                      }
                    } catch (IOException | InterruptedException e) {
                      // the editor's proxy is gone: nothing to write to
                    }
                  });
    }

    @Override
    public void write(int b) {
      queue.add(new byte[] {(byte) b});
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (len > 0) {
        queue.add(java.util.Arrays.copyOfRange(b, off, off + len));
      }
    }

    /** Ends the stream with the server's exit code, once what was written before is sent. */
    void finish(int code) throws InterruptedException {
      exitCode = Math.max(0, code);
      queue.add(END);
      writer.join(5_000);
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
