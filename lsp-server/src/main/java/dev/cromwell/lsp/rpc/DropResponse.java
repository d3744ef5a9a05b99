package dev.cromwell.lsp.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The server's output with one message left out: the first response to request {@code id}, which
 * was answered already (see {@code EarlyInitialize}). Until it has gone by, the output is cut into
 * frames and each whole frame is passed on as it completes; after it, bytes pass straight through.
 * The stream is LSP4J's own output, so its frames are well formed.
 */
public final class DropResponse extends FilterOutputStream {
  private static final byte[] END_OF_HEADER = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final JsonElement id;
  private final Consumer<String> log;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  /** Whether the response has gone by (or the output is not framed): nothing more to look at. */
  private boolean done;

  /** {@code log} hears of a dropped error: the early answer said yes where LSP4J said no. */
  public DropResponse(OutputStream out, JsonElement id, Consumer<String> log) {
    super(out);
    this.id = id;
    this.log = log;
  }

  @Override
  public synchronized void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    if (done) {
      out.write(b, off, len);
      return;
    }
    pending.write(b, off, len);
    passWholeFrames();
  }

  @Override
  public synchronized void flush() throws IOException {
    out.flush();
  }

  private void passWholeFrames() throws IOException {
    byte[] bytes = pending.toByteArray();
    int at = 0;
    while (!done) {
      int headerEnd = indexOf(bytes, at, END_OF_HEADER);
      if (headerEnd < 0) {
        break;
      }
      int bodyStart = headerEnd + END_OF_HEADER.length;
      int length = contentLength(new String(bytes, at, headerEnd - at, StandardCharsets.US_ASCII));
      if (length < 0) {
        done = true; // not LSP4J's framing after all: stop looking and hand everything on
        break;
      }
      if (bytes.length - bodyStart < length) {
        break;
      }
      int frameEnd = bodyStart + length;
      if (answersId(new String(bytes, bodyStart, length, StandardCharsets.UTF_8))) {
        done = true;
      } else {
        out.write(bytes, at, frameEnd - at);
        out.flush();
      }
      at = frameEnd;
    }
    pending.reset();
    if (done) {
      out.write(bytes, at, bytes.length - at);
      out.flush();
    } else {
      pending.write(bytes, at, bytes.length - at);
    }
  }

  private boolean answersId(String body) {
    try {
      JsonObject message = JsonParser.parseString(body).getAsJsonObject();
      if (message.has("method") || !id.equals(message.get("id"))) {
        return false;
      }
      if (message.has("error")) {
        log.accept(
            "cromwell lsp: initialize was answered, but LSP4J could not read it and refused it: "
                + Excerpt.of(String.valueOf(message.get("error")))
                + "; the server stays uninitialized (the client's capabilities are malformed)");
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static int contentLength(String header) {
    for (String line : header.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0
          && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
        try {
          return Integer.parseInt(line.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  private static int indexOf(byte[] bytes, int from, byte[] part) {
    for (int i = from; i + part.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
        return i;
      }
    }
    return -1;
  }
}
