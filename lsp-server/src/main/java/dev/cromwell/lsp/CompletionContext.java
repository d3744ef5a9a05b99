package dev.cromwell.lsp;

/**
 * The text around the cursor that shapes a suggestion.
 *
 * @param linePrefix the cursor line up to the cursor
 * @param lineSuffix the cursor line after the cursor
 * @param before all text before the cursor
 * @param after all text after the cursor
 * @param indentUnit the document's indentation step ("\t" or some spaces)
 */
public record CompletionContext(
    String linePrefix, String lineSuffix, String before, String after, String indentUnit) {

  /**
   * Whether to suggest several lines: at an empty or indentation-only line, or after a line that
   * opens a block; never when text follows the cursor on its line.
   */
  public boolean multiLine() {
    String t = linePrefix.stripTrailing();
    if (!lineSuffix.isBlank()) {
      // Only a body between braces the editor closed ("{|}") is worth several lines.
      return onlyClosers(lineSuffix) && lineSuffix.strip().startsWith("}") && t.endsWith("{");
    }
    return linePrefix.isBlank() || t.endsWith(":") || t.endsWith("{") || t.endsWith("=>");
  }

  /** Indentation of the block the suggestion continues. */
  public String baseIndent() {
    int i = 0;
    while (i < linePrefix.length()
        && (linePrefix.charAt(i) == ' ' || linePrefix.charAt(i) == '\t')) {
      i++;
    }
    return linePrefix.substring(0, i);
  }

  /** Closing brackets and quotes an editor inserts automatically. */
  static boolean onlyClosers(String s) {
    String t = s.strip();
    if (t.isEmpty()) {
      return false;
    }
    for (char c : t.toCharArray()) {
      if (")]}\"'`;,".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The indentation unit of a text: a tab if lines start with tabs, else the smallest space step.
   */
  public static String detectIndentUnit(String text) {
    int tabs = 0;
    int smallest = Integer.MAX_VALUE;
    for (String line : text.split("\n")) {
      if (line.startsWith("\t")) {
        tabs++;
      } else {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
          n++;
        }
        if (n > 0 && n < line.length()) {
          smallest = Math.min(smallest, n);
        }
      }
    }
    if (tabs > 0 && smallest == Integer.MAX_VALUE) {
      return "\t";
    }
    return smallest == Integer.MAX_VALUE ? "    " : " ".repeat(Math.min(smallest, 8));
  }
}
