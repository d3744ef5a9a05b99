package dev.cromwell.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable text with line-based position lookups: LSP (line, column) positions in a given
 * {@link PositionEncoding} ↔ char offsets. Lines end at "\n"; a preceding "\r" belongs to the line
 * break, as in LSP.
 */
public final class TextDocument {
  private final String text;
  private final int[] lineStarts;

  public TextDocument(String text) {
    this.text = text;
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
  }

  public String text() {
    return text;
  }

  public int lineCount() {
    return lineStarts.length;
  }

  /** Offset of the start of {@code line} (clamped to the document). */
  public int lineStart(int line) {
    if (line < 0) {
      return 0;
    }
    return line < lineStarts.length ? lineStarts[line] : text.length();
  }

  /** Offset of the end of {@code line}'s content (before "\r\n" or "\n"). */
  public int lineEnd(int line) {
    if (line < 0) {
      return 0;
    }
    if (line >= lineStarts.length) {
      return text.length();
    }
    int end = line + 1 < lineStarts.length ? lineStarts[line + 1] - 1 : text.length();
    if (end > lineStarts[line]
        && end <= text.length()
        && end > 0
        && text.charAt(end - 1) == '\r'
        && line + 1 < lineStarts.length) {
      end--;
    }
    return end;
  }

  public String line(int line) {
    return text.substring(lineStart(line), lineEnd(line));
  }

  /**
   * Char offset of an LSP position; positions past a line's end clamp to it, past the end of the
   * document to its end.
   */
  public int offset(int line, int column, PositionEncoding encoding) {
    if (line >= lineStarts.length) {
      return text.length();
    }
    int start = lineStart(line);
    return start + encoding.offsetOf(text.substring(start, lineEnd(line)), column);
  }

  /** LSP line of a char offset. */
  public int lineOf(int offset) {
    int i = java.util.Arrays.binarySearch(lineStarts, Math.min(Math.max(offset, 0), text.length()));
    return i >= 0 ? i : -i - 2;
  }

  /** LSP column of a char offset, in {@code encoding}. */
  public int columnOf(int offset, PositionEncoding encoding) {
    int line = lineOf(offset);
    int start = lineStart(line);
    return encoding.columnOf(
        text.substring(start, Math.max(start, Math.min(offset, lineEnd(line)))), offset - start);
  }

  /** A new document with {@code [from, to)} replaced by {@code replacement}. */
  public TextDocument replace(int from, int to, String replacement) {
    if (from < 0 || to < from || to > text.length()) {
      throw new IllegalArgumentException(
          "range ["
              + from
              + ", "
              + to
              + ") is outside the document of "
              + text.length()
              + " chars");
    }
    return new TextDocument(text.substring(0, from) + replacement + text.substring(to));
  }
}
