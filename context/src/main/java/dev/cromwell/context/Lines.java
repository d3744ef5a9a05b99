package dev.cromwell.context;

import java.util.Arrays;

/** Line starts of a text, for offset ↔ line lookups in O(log n). Lines are 0-based. */
public final class Lines {
  private final String text;
  private final int[] starts;

  public Lines(String text) {
    this.text = text;
    int count = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        count++;
      }
    }
    starts = new int[count];
    int line = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        starts[line++] = i + 1;
      }
    }
  }

  public int count() {
    return starts.length;
  }

  /** The line containing character {@code offset}. */
  public int lineOf(int offset) {
    int i = Arrays.binarySearch(starts, offset);
    return i >= 0 ? i : -i - 2;
  }

  /** Offset of the first character of {@code line} (the text length past the last line). */
  public int start(int line) {
    return line < starts.length ? starts[line] : text.length();
  }

  /** Offset just past the last character of {@code line}, excluding its line break. */
  public int end(int line) {
    if (line + 1 < starts.length) {
      return starts[line + 1] - 1;
    }
    return text.length();
  }

  /** Text of {@code line} without its line break. */
  public String line(int line) {
    return text.substring(start(line), end(line));
  }

  /** Text of lines {@code from..to} inclusive, with their line breaks except the last. */
  public String range(int from, int to) {
    return text.substring(start(from), end(Math.min(to, starts.length - 1)));
  }

  public String text() {
    return text;
  }
}
