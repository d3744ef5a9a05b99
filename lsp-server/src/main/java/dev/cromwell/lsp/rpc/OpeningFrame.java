package dev.cromwell.lsp.rpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * The first frame of a stream, read strictly and kept byte for byte so that it can be handed on
 * (replayed) to the real reader. Only the plain form every client sends is taken as a frame: {@code
 * Content-Length} (and at most a {@code Content-Type}) in CRLF-ended header lines, a blank line,
 * and the whole body. Anything else (garbage, a bad length, the stream ending early) stops the
 * reading with no body: what was read is replayed and {@link FrameReader} deals with it, as it
 * would have without this.
 *
 * @param consumed every byte read from the stream, in order
 * @param body the message body, or null when the bytes are not one plain frame
 */
public record OpeningFrame(byte[] consumed, byte[] body) {
  /** Longer header lines are not the plain form; FrameReader has the real limit. */
  private static final int HEADER_LINE_BYTES = 256;

  /** Reads the first frame of {@code in}; reads no further than its end. */
  public static OpeningFrame read(InputStream in, FrameLimits limits) throws IOException {
    ByteArrayOutputStream consumed = new ByteArrayOutputStream();
    long length = -1;
    boolean typed = false;
    while (true) {
      String line = readLine(in, consumed);
      if (line == null) {
        return new OpeningFrame(consumed.toByteArray(), null);
      }
      if (line.isEmpty()) {
        break;
      }
      int colon = line.indexOf(':');
      // The name as it is, not trimmed: FrameReader takes no space around it, and a line it does
      // not take as a header makes the whole frame garbage to it (no initialize to answer).
      String name = colon < 0 ? "" : line.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = colon < 0 ? "" : line.substring(colon + 1).trim();
      if (name.equals("content-length") && length < 0 && isLength(value)) {
        length = Long.parseLong(value);
      } else if (name.equals("content-type") && !typed && !namesLength(value)) {
        typed = true;
      } else {
        return new OpeningFrame(consumed.toByteArray(), null);
      }
    }
    if (length < 0 || length > limits.messageBytes()) {
      return new OpeningFrame(consumed.toByteArray(), null);
    }
    byte[] body = in.readNBytes((int) length);
    consumed.write(body);
    return new OpeningFrame(consumed.toByteArray(), body.length == length ? body : null);
  }

  /** FrameReader finds {@code Content-Length:} anywhere in a line, a Content-Type's value too. */
  private static boolean namesLength(String value) {
    return value.toLowerCase(Locale.ROOT).contains("content-length:");
  }

  private static boolean isLength(String value) {
    if (value.isEmpty() || value.length() > 10) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        return false; // a loop, not a stream: a lambda is a class spun at start-up
      }
    }
    return true;
  }

  /**
   * A header line without its CRLF, or null when it is not one: the stream ended, a bare LF, or too
   * long. Reads byte by byte so that nothing after the frame is taken from the stream.
   */
  private static String readLine(InputStream in, ByteArrayOutputStream consumed)
      throws IOException {
    StringBuilder line = new StringBuilder();
    while (line.length() <= HEADER_LINE_BYTES) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      consumed.write(b);
      if (b == '\n') {
        int last = line.length() - 1;
        if (last < 0 || line.charAt(last) != '\r') {
          return null;
        }
        return line.substring(0, last);
      }
      if (b >= 0x80) {
        return null; // header lines are ASCII
      }
      line.append((char) b);
    }
    return null;
  }
}
