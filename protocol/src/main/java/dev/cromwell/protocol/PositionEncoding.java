package dev.cromwell.protocol;

import java.util.List;

/**
 * How LSP positions count characters within a line: UTF-16 code units (the LSP default), UTF-8
 * bytes, or UTF-32 code points. Conversions never split a surrogate pair or a multi-byte character:
 * a column inside one snaps to the character's start.
 */
public enum PositionEncoding {
  UTF16("utf-16"),
  UTF8("utf-8"),
  UTF32("utf-32");

  private final String lspName;

  PositionEncoding(String lspName) {
    this.lspName = lspName;
  }

  public String lspName() {
    return lspName;
  }

  /** The server's choice among what the client offers: UTF-8 if offered, else UTF-16. */
  public static PositionEncoding negotiate(List<String> offered) {
    if (offered != null && offered.contains(UTF8.lspName)) {
      return UTF8;
    }
    return UTF16;
  }

  /**
   * The offset (in Java chars) within {@code line} of a column counted in this encoding; columns
   * past the end of the line clamp to the line's end.
   */
  public int offsetOf(CharSequence line, int column) {
    if (column <= 0) {
      return 0;
    }
    if (this == UTF16) {
      int offset = Math.min(column, line.length());
      if (offset > 0
          && offset < line.length()
          && Character.isHighSurrogate(line.charAt(offset - 1))) {
        offset--; // inside a surrogate pair: snap to its start
      }
      return offset;
    }
    int units = 0;
    int i = 0;
    while (i < line.length()) {
      int cp = Character.codePointAt(line, i);
      int width = this == UTF8 ? utf8Length(cp) : 1;
      if (units + width > column) {
        return i;
      }
      units += width;
      i += Character.charCount(cp);
    }
    return line.length();
  }

  /** The column, in this encoding, of Java char offset {@code offset} within {@code line}. */
  public int columnOf(CharSequence line, int offset) {
    int end = Math.min(offset, line.length());
    if (this == UTF16) {
      return end;
    }
    int units = 0;
    int i = 0;
    while (i < end) {
      int cp = Character.codePointAt(line, i);
      units += this == UTF8 ? utf8Length(cp) : 1;
      i += Character.charCount(cp);
    }
    return units;
  }

  static int utf8Length(int codePoint) {
    if (codePoint < 0x80) {
      return 1;
    }
    if (codePoint < 0x800) {
      return 2;
    }
    return codePoint < 0x10000 ? 3 : 4;
  }
}
