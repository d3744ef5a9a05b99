package dev.cromwell.lsp.rpc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits a JSON-RPC byte stream into message bodies by their {@code Content-Length} headers, and
 * cannot be desynchronised: it consumes exactly the announced bytes, treats anything that is not a
 * header block as garbage and resumes at the next {@code Content-Length:} it sees (even in the
 * middle of a line), and never holds more than {@link FrameLimits#headerLineBytes()} of a header
 * line or {@link FrameLimits#messageBytes()} of a body in memory. What it skips is reported to
 * {@code problems} as one short line.
 */
public final class FrameReader {
  /** What {@link #next()} found. */
  public sealed interface Frame permits Body, Oversized {}

  /** A whole message body of at most the message limit. */
  public record Body(byte[] bytes) implements Frame {}

  /**
   * A message over the size limit: skipped without being buffered, except its first bytes ({@code
   * head}), which are kept so that a request id can still be answered.
   */
  public record Oversized(long length, byte[] head) implements Frame {}

  private static final byte[] CONTENT_LENGTH =
      "content-length:".getBytes(StandardCharsets.US_ASCII);
  private static final int HEAD_KEPT = 4096;

  /** Bytes of an over-long line kept at its end, where the next header may start. */
  private static final int LINE_TAIL = 64;

  private final InputStream in;
  private final FrameLimits limits;
  private final Consumer<String> problems;
  private byte[] buffer = new byte[65536];
  private int position;
  private int limit;
  private long garbageRun;
  private long garbagePending;
  private String garbageStart;

  /**
   * The body last returned, until it is resumed inside: putting a body's bytes back twice would
   * hand out the same header again and again, so only the latest body can be resumed, once.
   */
  private Body resumable;

  public FrameReader(InputStream in, FrameLimits limits, Consumer<String> problems) {
    this.in = in;
    this.limits = limits;
    this.problems = problems;
  }

  /**
   * The next message, or null at the end of the stream.
   *
   * @throws IOException if reading fails, or after {@link FrameLimits#garbageBytes()} bytes in a
   *     row that held no header (the peer does not speak JSON-RPC)
   */
  public Frame next() throws IOException {
    long length = -1;
    boolean inHeaders = false;
    String badLength = null;
    while (true) {
      Line line = readLine();
      if (line == null) {
        reportGarbage();
        if (inHeaders) {
          problems.accept("the stream ended inside a message header");
        }
        return null;
      }
      int at = indexOfContentLength(line.bytes, line.length);
      if (at >= 0) {
        if (at > 0 || line.dropped > 0) {
          garbage(line.bytes, 0, at, line.dropped + at);
        }
        reportGarbage();
        String value =
            new String(
                    line.bytes,
                    at + CONTENT_LENGTH.length,
                    line.length - at - CONTENT_LENGTH.length,
                    StandardCharsets.ISO_8859_1)
                .trim();
        length = parseLength(value);
        badLength = length < 0 ? value : null;
        inHeaders = true;
        continue;
      }
      if (line.length == 0 && line.dropped == 0) {
        if (!inHeaders) {
          continue; // a stray blank line between messages
        }
        if (length < 0) {
          problems.accept(
              badLength != null
                  ? "bad frame: Content-Length \"" + Excerpt.of(badLength) + "\" is not a length"
                  : "bad frame: a header without Content-Length");
          inHeaders = false;
          badLength = null;
          continue; // its body, if any, is garbage up to the next header
        }
        garbageRun = 0;
        if (length > limits.messageBytes()) {
          resumable = null;
          return skip(length);
        }
        resumable = body((int) length);
        return resumable;
      }
      if (inHeaders && line.dropped == 0 && isHeader(line)) {
        continue; // Content-Type or another header we do not need
      }
      inHeaders = false;
      length = -1;
      garbage(line.bytes, 0, line.length, line.dropped + line.length + 1);
    }
  }

  /**
   * After a body failed to parse: if it contains a {@code Content-Length:} header, the message was
   * shorter than announced and the next one started inside it; puts the bytes from that header back
   * so that the next call reads that message. Returns whether it did. Only the body {@link #next()}
   * returned last can be resumed, and only once: what is put back is then a strict suffix of it
   * that starts with a header, so the reader always makes progress.
   */
  public boolean resumeInside(Body frame) {
    if (frame != resumable) {
      return false;
    }
    resumable = null;
    byte[] body = frame.bytes();
    int at = indexOfContentLength(body, body.length);
    if (at < 0) {
      return false;
    }
    int back = body.length - at;
    int remaining = limit - position;
    byte[] merged = new byte[Math.max(buffer.length, back + remaining)];
    System.arraycopy(body, at, merged, 0, back);
    System.arraycopy(buffer, position, merged, back, remaining);
    buffer = merged;
    position = 0;
    limit = back + remaining;
    return true;
  }

  private Body body(int length) throws IOException {
    byte[] bytes = new byte[length];
    int filled = 0;
    while (filled < length) {
      if (position == limit && !fill()) {
        problems.accept(
            "the stream ended inside a message (" + filled + " of " + length + " bytes)");
        return new Body(Arrays.copyOf(bytes, filled));
      }
      int n = Math.min(length - filled, limit - position);
      System.arraycopy(buffer, position, bytes, filled, n);
      position += n;
      filled += n;
    }
    return new Body(bytes);
  }

  private Oversized skip(long length) throws IOException {
    byte[] head = new byte[(int) Math.min(HEAD_KEPT, length)];
    long done = 0;
    while (done < length) {
      if (position == limit && !fill()) {
        break;
      }
      int n = (int) Math.min(length - done, limit - position);
      if (done < head.length) {
        System.arraycopy(buffer, position, head, (int) done, (int) Math.min(n, head.length - done));
      }
      position += n;
      done += n;
    }
    problems.accept(
        "bad frame: a message of "
            + length
            + " bytes is over the limit of "
            + limits.messageBytes()
            + " bytes; skipped");
    return new Oversized(length, head);
  }

  /** Counts skipped bytes; they are reported as one line when a header or the end is reached. */
  private void garbage(byte[] bytes, int from, int to, long count) throws IOException {
    if (count <= 0) {
      return;
    }
    if (garbageStart == null) {
      garbageStart = new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }
    garbagePending += count;
    garbageRun += count;
    if (garbageRun > limits.garbageBytes()) {
      reportGarbage();
      throw new IOException(
          garbageRun + " bytes in a row without a JSON-RPC header: the client does not speak LSP");
    }
  }

  private void reportGarbage() {
    if (garbagePending > 0) {
      problems.accept(
          "bad frame: skipped "
              + garbagePending
              + " bytes that are not a JSON-RPC message: \""
              + Excerpt.of(garbageStart)
              + "\"");
    }
    garbagePending = 0;
    garbageStart = null;
  }

  private static long parseLength(String value) {
    if (value.isEmpty() || value.length() > 18) {
      return -1;
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(value);
  }

  private static boolean isHeader(Line line) {
    int colon = -1;
    for (int i = 0; i < line.length; i++) {
      byte b = line.bytes[i];
      if (b == ':') {
        colon = i;
        break;
      }
      if (!(b == '-'
          || (b >= 'A' && b <= 'Z')
          || (b >= 'a' && b <= 'z')
          || (b >= '0' && b <= '9'))) {
        return false;
      }
    }
    return colon > 0;
  }

  /** The last {@code Content-Length:} in {@code bytes[0, length)}, ignoring case, or -1. */
  static int indexOfContentLength(byte[] bytes, int length) {
    outer:
    for (int i = length - CONTENT_LENGTH.length; i >= 0; i--) {
      for (int j = 0; j < CONTENT_LENGTH.length; j++) {
        int b = bytes[i + j];
        if (b >= 'A' && b <= 'Z') {
          b += 'a' - 'A';
        }
        if (b != CONTENT_LENGTH[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * A line without its CR LF. Of a line over the header limit only the last bytes are kept, and
   * {@code dropped} counts the rest.
   */
  private record Line(byte[] bytes, int length, long dropped) {}

  private Line readLine() throws IOException {
    int cap = limits.headerLineBytes();
    byte[] line = new byte[Math.min(cap, 256)];
    int length = 0;
    long dropped = 0;
    while (true) {
      if (position == limit && !fill()) {
        if (length == 0 && dropped == 0) {
          return null;
        }
        return new Line(line, length, dropped);
      }
      byte b = buffer[position++];
      if (b == '\n') {
        if (length > 0 && line[length - 1] == '\r') {
          length--;
        }
        return new Line(line, length, dropped);
      }
      if (length == line.length) {
        if (line.length < cap) {
          line = Arrays.copyOf(line, Math.min(cap, line.length * 2));
        } else {
          // Over the cap: keep only the tail, where the next header may begin.
          // Less than the cap, so that there is room for the byte read (the cap may be 64).
          int keep = Math.min(LINE_TAIL, length / 2);
          System.arraycopy(line, length - keep, line, 0, keep);
          dropped += length - keep;
          length = keep;
          if (dropped > limits.garbageBytes()) {
            garbage(line, 0, 0, dropped);
          }
        }
      }
      line[length++] = b;
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    if (n <= 0) {
      position = 0;
      limit = 0;
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }
}
