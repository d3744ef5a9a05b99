package dev.cromwell.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Typing a region of a real file again: the file is opened with the region's lines missing (and the
 * start of its first line, up to the first pause, already typed), then the rest of the region is
 * typed a character at a time. The user pauses where people stop to read a suggestion: after the
 * indentation of a new line, and after a word boundary ({@code " (.="}) once at least 12 characters
 * came since the last pause.
 *
 * @param path the file, relative to the workspace
 * @param opened the document's text when it is opened
 * @param start char offset of the cursor in {@code opened}
 * @param typed the characters typed after that, in order
 * @param pauses for each typed character, whether the user pauses after it
 */
record TypingScript(Path path, String opened, int start, String typed, boolean[] pauses) {

  /** The region of {@code spec} = "FILE:FIRST_LINE:LINES" (1-based line) under {@code root}. */
  static TypingScript of(Path root, String spec) throws IOException {
    String[] p = spec.split(":");
    if (p.length != 3) {
      throw new IllegalArgumentException(spec + ": expected FILE:FIRST_LINE:LINES");
    }
    Path file = Path.of(p[0]);
    String text = Files.readString(root.resolve(file), StandardCharsets.UTF_8);
    int first = Integer.parseInt(p[1]) - 1;
    int count = Integer.parseInt(p[2]);
    int from = lineStart(text, first);
    int to = lineStart(text, first + count);
    if (from < 0 || to < 0 || to <= from) {
      throw new IllegalArgumentException(spec + ": the file has no such lines");
    }
    String region = text.substring(from, to);
    boolean[] pauses = pausesIn(region);
    int firstPause = 0;
    while (!pauses[firstPause]) {
      firstPause++;
    }
    String opened =
        text.substring(0, from) + region.substring(0, firstPause + 1) + text.substring(to);
    String rest = region.substring(firstPause + 1);
    boolean[] restPauses = java.util.Arrays.copyOfRange(pauses, firstPause + 1, pauses.length);
    return new TypingScript(file, opened, from + firstPause + 1, rest, restPauses);
  }

  /** Number of pauses in the typing (the keystrokes whose suggestion is measured). */
  int pauseCount() {
    int n = 0;
    for (boolean b : pauses) {
      n += b ? 1 : 0;
    }
    return n;
  }

  private static boolean[] pausesIn(String region) {
    boolean[] pauses = new boolean[region.length()];
    int since = 0;
    for (int i = 0; i < region.length(); i++) {
      char c = region.charAt(i);
      since++;
      boolean endOfIndent =
          (c == ' ' || c == '\t' || c == '\n')
              && i + 1 < region.length()
              && region.charAt(i + 1) != ' '
              && region.charAt(i + 1) != '\t'
              && region.charAt(i + 1) != '\n'
              && lineIsBlankBefore(region, i);
      boolean wordBoundary = " (.=".indexOf(c) >= 0 && since >= 12 && !lineIsBlankBefore(region, i);
      if (endOfIndent || wordBoundary) {
        pauses[i] = true;
        since = 0;
      }
    }
    pauses[region.length() - 1] = true; // the end of the region
    return pauses;
  }

  /** Whether the line of char {@code i} is blank up to and including it. */
  private static boolean lineIsBlankBefore(String s, int i) {
    for (int j = i; j >= 0 && s.charAt(j) != '\n'; j--) {
      if (s.charAt(j) != ' ' && s.charAt(j) != '\t') {
        return false;
      }
    }
    return true;
  }

  private static int lineStart(String text, int line) {
    int at = 0;
    for (int i = 0; i < line; i++) {
      at = text.indexOf('\n', at);
      if (at < 0) {
        return -1;
      }
      at++;
    }
    return at;
  }
}
