package dev.cromwell.engine.tokenizer;

/**
 * GPT-2's reversible mapping of bytes to printable characters, used by every byte-level BPE
 * vocabulary: printable Latin-1 bytes map to themselves, the rest to U+0100 onwards in order.
 */
final class ByteLevel {
  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[512];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      char c = printable ? (char) b : (char) next++;
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteLevel() {}

  /** Encodes UTF-8 bytes as the vocabulary's character string. */
  static String encode(byte[] bytes) {
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = BYTE_TO_CHAR[bytes[i] & 0xff];
    }
    return new String(out);
  }

  /** The byte a vocabulary character stands for, or -1 if it is not a byte-level character. */
  static int decode(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /** The vocabulary character of one byte. */
  static char charOf(int b) {
    return BYTE_TO_CHAR[b & 0xff];
  }
}
