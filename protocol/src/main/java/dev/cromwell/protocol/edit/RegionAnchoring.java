package dev.cromwell.protocol.edit;

import java.util.Arrays;

/**
 * Puts a rewritten region back into its file. Models often rewrite more than they were shown as the
 * region: the whole function when only its first line was selected, or the file from its start down
 * to the region. Taken as the region's new text, such an answer pastes a second copy of those
 * lines. So the answer's leading lines that repeat the file's lines just above the region, and its
 * trailing lines that repeat the lines just below, are recognized as context and not inserted
 * again.
 */
public final class RegionAnchoring {
  private RegionAnchoring() {}

  /**
   * The new text of the file when {@code text[regionStart, regionEnd)} (whole lines) is rewritten
   * as {@code answer}.
   */
  public static String apply(String text, int regionStart, int regionEnd, String answer)
      throws EditException {
    String region = text.substring(regionStart, regionEnd);
    String[] above = lines(text.substring(0, regionStart));
    String[] below = lines(text.substring(regionEnd));
    String[] rewritten = lines(answer);
    int lead = overlapAbove(above, rewritten);
    int trail = overlapBelow(below, Arrays.copyOfRange(rewritten, lead, rewritten.length));
    String[] kept = Arrays.copyOfRange(rewritten, lead, rewritten.length - trail);
    if ((lead > 0 || trail > 0) && Arrays.stream(kept).allMatch(String::isBlank)) {
      throw new EditException(
          "the answer only repeats lines around the selection instead of rewriting it");
    }
    String body =
        lead == 0 && trail == 0 ? answer : kept.length == 0 ? "" : String.join("\n", kept) + "\n";
    if (region.endsWith("\n") && !body.endsWith("\n") && !body.isEmpty()) {
      body += "\n";
    } else if (!region.endsWith("\n") && body.endsWith("\n")) {
      body = body.substring(0, body.length() - 1);
    }
    return text.substring(0, regionStart) + body + text.substring(regionEnd);
  }

  /** Lines of {@code s} without line ends; a final newline does not start another line. */
  static String[] lines(String s) {
    if (s.isEmpty()) {
      return new String[0];
    }
    String t = s.replace("\r\n", "\n");
    if (t.endsWith("\n")) {
      t = t.substring(0, t.length() - 1);
    }
    return t.split("\n", -1);
  }

  /**
   * The most leading lines of {@code answer} that equal the last lines of {@code above} (ignoring
   * trailing blanks), counted only when they hold code, not just blank lines.
   */
  static int overlapAbove(String[] above, String[] answer) {
    for (int k = Math.min(above.length, answer.length); k > 0; k--) {
      if (same(above, above.length - k, answer, 0, k) && hasCode(answer, 0, k)) {
        return k;
      }
    }
    return 0;
  }

  /** The most trailing lines of {@code answer} that equal the first lines of {@code below}. */
  static int overlapBelow(String[] below, String[] answer) {
    for (int k = Math.min(below.length, answer.length); k > 0; k--) {
      if (same(below, 0, answer, answer.length - k, k) && hasCode(answer, answer.length - k, k)) {
        return k;
      }
    }
    return 0;
  }

  private static boolean same(String[] a, int from, String[] b, int bFrom, int n) {
    for (int i = 0; i < n; i++) {
      if (!a[from + i].stripTrailing().equals(b[bFrom + i].stripTrailing())) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasCode(String[] lines, int from, int n) {
    for (int i = from; i < from + n; i++) {
      if (!lines[i].isBlank()) {
        return true;
      }
    }
    return false;
  }
}
