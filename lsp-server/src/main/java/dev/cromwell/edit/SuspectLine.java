package dev.cromwell.edit;

/**
 * The code line of a selection that the model finds least likely where it stands, which a fix of an
 * unnamed bug is told to check first in its second look ({@link
 * dev.cromwell.protocol.edit.EditPrompts#fixUnchanged}). Only lines of code compete: blank lines,
 * comments, docstrings and other triple-quoted text, decorators and {@code def}/{@code class} lines
 * are prose or new names, unlikely to a model whatever their correctness.
 *
 * @param line the line's number in the file (1-based)
 * @param text the line as it is in the file
 * @param lowest the natural log-probability of the line's least likely token
 */
record SuspectLine(int line, String text, double lowest) {
  /**
   * The least likely code line of {@code region} (whose first line is line {@code firstLine} of the
   * file) by {@code lowest}, the log-probability of each line's least likely token; null when there
   * are no scores or no code lines.
   */
  static SuspectLine pick(double[] lowest, String region, int firstLine) {
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
    return best < 0 ? null : new SuspectLine(firstLine + best, lines[best], lowest[best]);
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
