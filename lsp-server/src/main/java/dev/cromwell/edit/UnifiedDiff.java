package dev.cromwell.edit;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Old and new text of a file as the lines of a unified diff ({@code a/name}, {@code b/name}) that
 * {@code git apply} and {@code patch} take: a file's final line end makes no line of its own, and a
 * last line without one is marked {@code \ No newline at end of file}, as GNU diff marks it.
 */
public final class UnifiedDiff {
  /**
   * Carried by a last line without a line end while the lines are compared, so that it differs from
   * the same line with one (text never holds it: a NUL and a noncharacter).
   */
  private static final String NO_LINE_END = "\u0000\uffff";

  private UnifiedDiff() {}

  public static List<String> lines(String name, String before, String after, int context) {
    List<String> a = linesOf(before);
    List<String> b = linesOf(after);
    List<String> diff =
        UnifiedDiffUtils.generateUnifiedDiff(
            "a/" + name, "b/" + name, a, DiffUtils.diff(a, b), context);
    List<String> marked = new ArrayList<>(diff.size() + 2);
    for (String line : diff) {
      if (line.endsWith(NO_LINE_END)) {
        marked.add(line.substring(0, line.length() - NO_LINE_END.length()));
        marked.add("\\ No newline at end of file");
      } else {
        marked.add(line);
      }
    }
    return marked;
  }

  /** The lines of {@code text} without their {@code \n}; a last line without one is marked. */
  private static List<String> linesOf(String text) {
    List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    String last = lines.removeLast(); // empty after a final line end (or for an empty text)
    if (!last.isEmpty()) {
      lines.add(last + NO_LINE_END);
    }
    return lines;
  }
}
