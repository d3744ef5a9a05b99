package dev.cromwell.protocol.edit;

import java.util.ArrayList;
import java.util.List;

/**
 * Refuses an edit that adds a copy of code which stands elsewhere in the file and stays there — the
 * signature of a model that rewrote more than it was asked and had its extra lines pasted in.
 * Moving code is allowed: a copy only counts when the lines it repeats are outside the changed part
 * of the file, so they are still in the result.
 */
public final class CopyGuard {
  /** Consecutive added code lines that must repeat unchanged lines before the edit is refused. */
  static final int MIN_LINES = 3;

  private CopyGuard() {}

  /**
   * Throws when {@code after} adds a copy of at least {@link #MIN_LINES} lines of {@code before}.
   */
  public static void check(String path, String before, String after) throws EditException {
    String[] old = RegionAnchoring.lines(before);
    String[] neu = RegionAnchoring.lines(after);
    int prefix = 0;
    while (prefix < old.length && prefix < neu.length && old[prefix].equals(neu[prefix])) {
      prefix++;
    }
    int suffix = 0;
    while (suffix < old.length - prefix
        && suffix < neu.length - prefix
        && old[old.length - 1 - suffix].equals(neu[neu.length - 1 - suffix])) {
      suffix++;
    }
    // The lines the edit added (the changed middle of the new text) and the lines it kept.
    List<Numbered> added = code(neu, prefix, neu.length - suffix);
    List<Numbered> kept = code(old, 0, prefix);
    kept.addAll(code(old, old.length - suffix, old.length));
    for (int i = 0; i + MIN_LINES <= added.size(); i++) {
      for (int j = 0; j + MIN_LINES <= kept.size(); j++) {
        int n = 0;
        while (i + n < added.size()
            && j + n < kept.size()
            && added.get(i + n).text().equals(kept.get(j + n).text())) {
          n++;
        }
        if (n >= MIN_LINES) {
          throw new EditException(
              "the answer adds a copy of lines "
                  + (kept.get(j).line() + 1)
                  + "-"
                  + (kept.get(j + n - 1).line() + 1)
                  + " of "
                  + path
                  + ", which stand elsewhere in the file; the model rewrote more than the"
                  + " selection");
        }
      }
    }
  }

  private record Numbered(int line, String text) {}

  /** Lines {@code [from, to)} that hold code, stripped; blank lines and lone brackets skipped. */
  private static List<Numbered> code(String[] lines, int from, int to) {
    List<Numbered> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      String s = lines[i].strip();
      if (s.length() >= 4) {
        out.add(new Numbered(i, s));
      }
    }
    return out;
  }
}
