package dev.cromwell.protocol.edit;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds where a block's search text is in the current document — exactly first, then ignoring
 * trailing whitespace and indentation (re-indenting the replacement by the same amount) — and
 * refuses, naming the block and the closest text, when it is missing or ambiguous.
 */
public final class Anchoring {
  private Anchoring() {}

  /** Applies blocks in order to {@code text} and returns the new text. */
  public static String apply(String text, List<EditAnswer.Block> blocks) throws EditException {
    String current = text;
    for (EditAnswer.Block b : blocks) {
      current = applyOne(current, b);
    }
    return current;
  }

  static String applyOne(String text, EditAnswer.Block block) throws EditException {
    String eol = text.contains("\r\n") ? "\r\n" : "\n";
    String normalized = text.replace("\r\n", "\n");
    String search = block.search();
    String replace = block.replace();
    int first = normalized.indexOf(search);
    if (first >= 0) {
      if (normalized.indexOf(search, first + 1) >= 0) {
        throw new EditException(
            "block "
                + block.index()
                + " matches more than one place; its SEARCH text must be unique");
      }
      return splice(text, first, first + search.length(), replace.replace("\n", eol));
    }
    // Whitespace-tolerant: compare lines without leading/trailing blanks.
    String[] lines = normalized.split("\n", -1);
    String[] wanted = trimTrailingEmpty(search.split("\n", -1));
    List<Integer> matches = new ArrayList<>();
    for (int start = 0; start + wanted.length <= lines.length; start++) {
      boolean ok = true;
      for (int k = 0; k < wanted.length && ok; k++) {
        ok = lines[start + k].strip().equals(wanted[k].strip());
      }
      if (ok) {
        matches.add(start);
      }
    }
    if (matches.size() > 1) {
      throw new EditException(
          "block "
              + block.index()
              + " matches "
              + matches.size()
              + " places when whitespace is ignored; it must be unique");
    }
    if (matches.isEmpty()) {
      throw new EditException(
          "block "
              + block.index()
              + " does not match the file; closest text: \""
              + closest(lines, wanted)
              + "\"");
    }
    int start = matches.get(0);
    // Re-indent the replacement: the answer's indentation of its first line maps to the file's.
    String[] leads = indentations(lines, wanted, start);
    StringBuilder out = new StringBuilder();
    String[] replacement = trimTrailingEmpty(replace.split("\n", -1));
    for (String r : replacement) {
      String shifted = r.startsWith(leads[0]) ? leads[1] + r.substring(leads[0].length()) : r;
      out.append(r.isBlank() ? r : shifted).append('\n');
    }
    int end = start + wanted.length;
    if (end == lines.length && !normalized.endsWith("\n")) {
      out.setLength(out.length() - 1); // the matched lines end the file without a line break
    }
    int from = lineOffset(lines, start);
    int to = end == lines.length ? normalized.length() : lineOffset(lines, end);
    return splice(text, from, to, out.toString().replace("\n", eol));
  }

  /**
   * {@code text} with {@code [from, to)} of its CR LF-normalized form replaced: every byte outside
   * that range is kept as it was, so a file that mixes line endings keeps them.
   */
  private static String splice(String text, int from, int to, String replacement) {
    return text.substring(0, original(text, from))
        + replacement
        + text.substring(original(text, to));
  }

  /** The index in {@code text} of index {@code at} of its CR LF-normalized form. */
  private static int original(String text, int at) {
    int i = 0;
    for (int n = 0; n < at; n++) {
      i += text.startsWith("\r\n", i) ? 2 : 1;
    }
    return i;
  }

  /** Where line {@code k} starts in the text the {@code lines} were split from at each LF. */
  private static int lineOffset(String[] lines, int k) {
    int offset = 0;
    for (int i = 0; i < k; i++) {
      offset += lines[i].length() + 1;
    }
    return offset;
  }

  /** {answer's indentation, file's indentation} of the first non-blank matched line. */
  private static String[] indentations(String[] lines, String[] wanted, int start) {
    for (int k = 0; k < wanted.length; k++) {
      if (!wanted[k].isBlank()) {
        return new String[] {lead(wanted[k]), lead(lines[start + k])};
      }
    }
    return new String[] {"", ""};
  }

  private static String lead(String s) {
    int i = 0;
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return s.substring(0, i);
  }

  private static String[] trimTrailingEmpty(String[] lines) {
    int n = lines.length;
    while (n > 1 && lines[n - 1].isEmpty()) {
      n--;
    }
    return java.util.Arrays.copyOf(lines, n);
  }

  /** The window of the file most similar to the wanted lines, for the refusal message. */
  static String closest(String[] lines, String[] wanted) {
    String first = "";
    for (String w : wanted) {
      if (!w.isBlank()) {
        first = w.strip();
        break;
      }
    }
    String best = "";
    double bestScore = -1;
    for (String line : lines) {
      double score = similarity(line.strip(), first);
      if (score > bestScore) {
        bestScore = score;
        best = line.strip();
      }
    }
    return best.length() > 120 ? best.substring(0, 120) + "…" : best;
  }

  /** Dice coefficient over character bigrams. */
  static double similarity(String a, String b) {
    if (a.length() < 2 || b.length() < 2) {
      return a.equals(b) ? 1 : 0;
    }
    java.util.Map<String, Integer> grams = new java.util.HashMap<>();
    for (int i = 0; i + 2 <= a.length(); i++) {
      grams.merge(a.substring(i, i + 2), 1, Integer::sum);
    }
    int common = 0;
    for (int i = 0; i + 2 <= b.length(); i++) {
      Integer n = grams.get(b.substring(i, i + 2));
      if (n != null && n > 0) {
        common++;
        grams.put(b.substring(i, i + 2), n - 1);
      }
    }
    return 2.0 * common / (a.length() - 1 + b.length() - 1);
  }
}
