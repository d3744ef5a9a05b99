package dev.cromwell.protocol.edit;

import java.util.ArrayList;
import java.util.List;

/**
 * Text as lines that keep their own line ends, so that a doc-only edit can insert lines between
 * them and give back every original byte, CR LF included.
 */
final class SourceLines {
  /** One line: its text without the line end, and the line end ("\n", "\r\n" or "" at the end). */
  record Line(String text, String end) {}

  private SourceLines() {}

  static List<Line> of(String s) {
    List<Line> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      int nl = s.indexOf('\n', i);
      if (nl < 0) {
        out.add(new Line(s.substring(i), ""));
        break;
      }
      int textEnd = nl > i && s.charAt(nl - 1) == '\r' ? nl - 1 : nl;
      out.add(new Line(s.substring(i, textEnd), s.substring(textEnd, nl + 1)));
      i = nl + 1;
    }
    return out;
  }

  /** The texts alone. */
  static List<String> texts(List<Line> lines) {
    return lines.stream().map(Line::text).toList();
  }

  /** The line end new lines get: the text's first, LF when it has none. */
  static String eol(String s) {
    int nl = s.indexOf('\n');
    return nl > 0 && s.charAt(nl - 1) == '\r' ? "\r\n" : "\n";
  }

  /** Leading spaces and tabs of {@code s}. */
  static String indent(String s) {
    int i = 0;
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return s.substring(0, i);
  }

  /**
   * {@code lines} moved from the first one's indentation to {@code target}, keeping each line's
   * indentation relative to the first (lines indented less are put at {@code target}).
   */
  static List<String> reindent(List<String> lines, String target) {
    String from = indent(lines.getFirst());
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      if (l.isBlank()) {
        out.add("");
      } else if (l.startsWith(from)) {
        out.add(target + l.substring(from.length()).stripTrailing());
      } else {
        out.add(target + l.strip());
      }
    }
    return out;
  }

  /** One insertion or replacement: original lines {@code [from, to)} become {@code lines}. */
  record Splice(int from, int to, List<String> lines) {}

  /**
   * The original lines with the splices (sorted, not overlapping) applied; new lines end with
   * {@code eol}, original lines keep theirs, and the result ends with a line end only if the
   * original did.
   */
  static String apply(List<Line> original, List<Splice> splices, String eol) {
    StringBuilder out = new StringBuilder();
    int next = 0;
    for (Splice s : splices) {
      for (int i = next; i < s.from(); i++) {
        Line l = original.get(i);
        out.append(l.text()).append(l.end().isEmpty() ? eol : l.end());
      }
      for (String l : s.lines()) {
        out.append(l).append(eol);
      }
      next = Math.max(next, s.to());
    }
    for (int i = next; i < original.size(); i++) {
      Line l = original.get(i);
      out.append(l.text()).append(l.end().isEmpty() && i < original.size() - 1 ? eol : l.end());
    }
    boolean endsOpen = !original.isEmpty() && original.getLast().end().isEmpty();
    if (endsOpen && next >= original.size() && out.toString().endsWith(eol)) {
      out.setLength(out.length() - eol.length());
    }
    return out.toString();
  }
}
