package dev.cromwell.edit;

/**
 * The code line of a selection that the model finds least likely where it stands, which a fix of an
 * unnamed bug is told to check first in its second look ({@link
 * dev.cromwell.protocol.edit.EditPrompts#fixUnchanged}) and writes again by fill-in-the-middle;
 * both only when it reads unlikely enough ({@link #unlikelyEnough}). Only lines of code compete:
 * blank lines, comments, docstrings and other triple-quoted text, decorators and {@code def}/{@code
 * class} lines are prose or new names, unlikely to a model whatever their correctness.
 *
 * @param line the line's number in the file (1-based)
 * @param text the line as it is in the file
 * @param lowest the natural log-probability of the line's least likely token
 * @param token that token, its characters counted from the line's start, with what the model
 *     expected in its place; null when not known
 */
record SuspectLine(int line, String text, double lowest, LineScores.LeastLikelyToken token) {
  /**
   * The default of {@link #threshold}. Calibrated on the 0.5B (bin/eval's fix and fix-correct on
   * all 164, docs/QUALITY.md): the lines its fills corrected mostly score below -7 (an injected bug
   * reads as very unlikely), the correct lines its fills rewrote mostly above; at -6.5 the fill
   * keeps 78 of its 79 won fix tasks and breaks 8 correct functions instead of 24 (a margin below
   * the lowest won fix at -7.1, against fitting to the edge); those counts were the fill's alone,
   * with every unchanged answer looked at again. Gating the second look too was checked on the
   * 1.5B: pointed at lines scoring -2 to -6 it broke 18 of 40 correct functions, and every second
   * look that won a fix task pointed at a line below -7.
   */
  static final double UNLIKELY_BELOW = -6.5;

  /**
   * How unlikely a line's least likely token must be (natural log-probability) for the line to be
   * suspect enough to ask about again and to write again: {@link #UNLIKELY_BELOW}, or {@code
   * -Dcromwell.fix.unlikelyBelow} for a measurement.
   */
  static double threshold() {
    String set = System.getProperty("cromwell.fix.unlikelyBelow");
    if (set != null) {
      try {
        return Double.parseDouble(set);
      } catch (NumberFormatException e) {
        // A measurement knob, not a user setting: a bad value leaves the default.
      }
    }
    return UNLIKELY_BELOW;
  }

  /** Whether the line reads unlikely enough to the model to be the bug ({@link #threshold}). */
  boolean unlikelyEnough() {
    return lowest < threshold();
  }

  /** The same line, as it stands at line {@code now} of another text (an answer that kept it). */
  SuspectLine at(int now, String textThere) {
    return new SuspectLine(now, textThere, lowest, token);
  }

  /**
   * The least likely code line of {@code region} (whose first line is line {@code firstLine} of the
   * file) by its scores (the log-probability of each line's least likely token); null when there
   * are no scores or no code lines.
   */
  static SuspectLine pick(LineScores scores, String region, int firstLine) {
    double[] lowest = scores.lowest();
    String[] lines = region.split("\n", -1);
    int best = -1;
    String openQuote = null;
    for (int i = 0; i < Math.min(lines.length, lowest.length); i++) {
      String code = lines[i].strip();
      if (openQuote != null) {
        if (code.contains(openQuote)) {
          openQuote = null;
        }
        continue;
      }
      String quote = code.contains("\"\"\"") ? "\"\"\"" : code.contains("'''") ? "'''" : null;
      if (quote != null) {
        // An odd count of the quote opens text that goes on past this line.
        openQuote =
            code.split(java.util.regex.Pattern.quote(quote), -1).length % 2 == 0 ? quote : null;
        continue;
      }
      if (code.isEmpty() || isComment(code) || isDeclaration(code)) {
        continue;
      }
      if (best < 0 || lowest[i] < lowest[best]) {
        best = i;
      }
    }
    if (best < 0) {
      return null;
    }
    int lineStart = EditService.offsetOfLine(region, best);
    int lineEnd = lineStart + lines[best].length();
    LineScores.LeastLikelyToken token =
        scores
            .leastLikely(best)
            .filter(t -> t.start() >= lineStart && t.end() <= lineEnd)
            .map(t -> t.from(lineStart))
            .orElse(null);
    return new SuspectLine(firstLine + best, lines[best], lowest[best], token);
  }

  private static boolean isComment(String code) {
    return code.startsWith("#")
        || code.startsWith("//")
        || code.startsWith("/*")
        || code.startsWith("*")
        || code.startsWith("--");
  }

  private static boolean isDeclaration(String code) {
    return code.startsWith("def ")
        || code.startsWith("async def ")
        || code.startsWith("class ")
        || code.startsWith("@");
  }
}
