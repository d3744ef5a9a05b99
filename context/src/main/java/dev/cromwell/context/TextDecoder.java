package dev.cromwell.context;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns file bytes into text without ever throwing: UTF-8 or UTF-16 with a byte-order mark, strict
 * UTF-8, and Latin-1 as the fallback that decodes anything. Files with NUL bytes or many control
 * characters are binary and get no text.
 */
public final class TextDecoder {
  /** The outcome: the text (null for binary files) and the encoding it was read with. */
  public record Decoded(String text, String encoding, boolean binary) {}

  private static final int SNIFF = 8192;

  private TextDecoder() {}

  public static Decoded decode(byte[] bytes) {
    if (startsWith(bytes, 0xEF, 0xBB, 0xBF)) {
      return new Decoded(lenient(bytes, 3, StandardCharsets.UTF_8), "UTF-8 BOM", false);
    }
    if (startsWith(bytes, 0xFF, 0xFE)) {
      return new Decoded(lenient(bytes, 2, StandardCharsets.UTF_16LE), "UTF-16LE BOM", false);
    }
    if (startsWith(bytes, 0xFE, 0xFF)) {
      return new Decoded(lenient(bytes, 2, StandardCharsets.UTF_16BE), "UTF-16BE BOM", false);
    }
    if (looksBinary(bytes)) {
      return new Decoded(null, "binary", true);
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return new Decoded(text, "UTF-8", false);
    } catch (CharacterCodingException e) {
      return new Decoded(new String(bytes, StandardCharsets.ISO_8859_1), "ISO-8859-1", false);
    }
  }

  /** NUL bytes, or more than 10% control characters, in the first 8 KiB. */
  static boolean looksBinary(byte[] bytes) {
    int n = Math.min(bytes.length, SNIFF);
    int control = 0;
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xff;
      if (b == 0) {
        return true;
      }
      if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' && b != 0x1b) {
        control++;
      }
    }
    return n > 0 && control * 10 > n;
  }

  private static String lenient(byte[] bytes, int skip, Charset charset) {
    return new String(bytes, skip, bytes.length - skip, charset);
  }

  private static boolean startsWith(byte[] bytes, int... prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((bytes[i] & 0xff) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
