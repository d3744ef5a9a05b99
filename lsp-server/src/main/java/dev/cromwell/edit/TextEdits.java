package dev.cromwell.edit;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;
import java.util.ArrayList;
import java.util.List;

/**
 * Old text → new text as a minimal list of replacements: a line diff (java-diff-utils), each
 * changed run then narrowed to the characters that differ. Offsets are Java chars into the old
 * text; edits are sorted and do not overlap, so applying them back to front gives the new text.
 */
public final class TextEdits {
  /** Replace old {@code [start, end)} with {@code text}. */
  public record Edit(int start, int end, String text) {}

  private TextEdits() {}

  public static List<Edit> compute(String before, String after) {
    List<String> oldLines = lines(before);
    List<String> newLines = lines(after);
    int[] oldStarts = starts(oldLines);
    Patch<String> patch = DiffUtils.diff(oldLines, newLines);
    List<Edit> edits = new ArrayList<>();
    for (AbstractDelta<String> d : patch.getDeltas()) {
      int from = d.getSource().getPosition();
      int to = from + d.getSource().size();
      int start = oldStarts[from];
      int end = oldStarts[to];
      String oldText = before.substring(start, end);
      String newText = String.join("", d.getTarget().getLines());
      // Narrow to the characters that differ inside the changed lines.
      int prefix = 0;
      int max = Math.min(oldText.length(), newText.length());
      while (prefix < max && oldText.charAt(prefix) == newText.charAt(prefix)) {
        prefix++;
      }
      int suffix = 0;
      while (suffix < max - prefix
          && oldText.charAt(oldText.length() - 1 - suffix)
              == newText.charAt(newText.length() - 1 - suffix)) {
        suffix++;
      }
      // Never split a surrogate pair or a "\r\n" at the edges: LSP positions cannot express it.
      while (prefix > 0
          && (Character.isHighSurrogate(oldText.charAt(prefix - 1))
              || oldText.charAt(prefix - 1) == '\r')) {
        prefix--;
      }
      while (suffix > 0
          && (Character.isLowSurrogate(oldText.charAt(oldText.length() - suffix))
              || (oldText.charAt(oldText.length() - suffix) == '\n'
                  && oldText.length() - suffix > 0
                  && oldText.charAt(oldText.length() - suffix - 1) == '\r'))) {
        suffix--;
      }
      edits.add(
          new Edit(
              start + prefix, end - suffix, newText.substring(prefix, newText.length() - suffix)));
    }
    return edits;
  }

  /** Applies non-overlapping sorted edits (for tests and the CLI's own check). */
  public static String apply(String text, List<Edit> edits) {
    StringBuilder sb = new StringBuilder(text);
    for (int i = edits.size() - 1; i >= 0; i--) {
      Edit e = edits.get(i);
      sb.replace(e.start(), e.end(), e.text());
    }
    return sb.toString();
  }

  /** Lines with their terminators, so that joining them gives the text back exactly. */
  static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        lines.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      lines.add(text.substring(start));
    }
    return lines;
  }

  private static int[] starts(List<String> lines) {
    int[] starts = new int[lines.size() + 1];
    for (int i = 0; i < lines.size(); i++) {
      starts[i + 1] = starts[i] + lines.get(i).length();
    }
    return starts;
  }
}
