package dev.cromwell.protocol.edit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks the rewrite among the code blocks of an answer to "fix the bug". Models put more than the
 * rewrite in blocks: the buggy lines quoted before it, the changed line alone after it, a usage
 * example ({@code print(area(2))}) or a test. The rewrite is the block most like the selection that
 * is not a copy of it, by the words (names and numbers) the two share: a fixed function keeps most
 * of its words, while a quoted line, an example or a test shares few of the selection's.
 */
final class FixRewrite {
  private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*|[0-9]+");

  /** A block at least this like the selection is taken over an unchanged copy of it. */
  private static final double LIKE_THE_SELECTION = 0.5;

  /** Selections with fewer non-blank lines are taken whatever the answer's length. */
  private static final int SHORTEST_SELECTION = 4;

  private FixRewrite() {}

  /**
   * The rewrite among {@code blocks} (closed ones, not {@code diff} or {@code patch}): the block
   * most like {@code selection} that changes it (the later one of equals), when it is at least half
   * like it; else an unchanged copy of the selection (no edit, never an example in place of the
   * code); else the block most like it, however little. Null when no block qualifies.
   */
  static FencedBlocks.Block choose(List<FencedBlocks.Block> blocks, String selection) {
    Map<String, Integer> selected = words(selection);
    List<String> selectedLines = lines(selection);
    FencedBlocks.Block best = null;
    double bestScore = -1;
    FencedBlocks.Block copy = null;
    for (FencedBlocks.Block block : blocks) {
      if (!block.closed() || block.info().equals("diff") || block.info().equals("patch")) {
        continue;
      }
      if (lines(block.body()).equals(selectedLines)) {
        copy = block;
        continue;
      }
      double score = likeness(words(block.body()), selected);
      if (score >= bestScore) {
        best = block;
        bestScore = score;
      }
    }
    if (best != null && (bestScore >= LIKE_THE_SELECTION || copy == null)) {
      return best;
    }
    return copy;
  }

  /**
   * {@code code}, a fix's chosen block, when it can stand for the whole selection. Asked for all
   * the lines, small models sometimes answer with the corrected line alone (Qwen2.5-Coder-1.5B,
   * pointed at a line in its first turn, in 2 of 35 fix tasks), and taken as the rewrite it put one
   * line in place of the whole function. Which line it corrects, or whether it is a new line, is a
   * guess, so an answer with fewer than half the non-blank lines of a selection of {@link
   * #SHORTEST_SELECTION} lines or more is refused; shorter selections are taken whatever the
   * answer.
   */
  static String wholeSelection(String code, String selection) throws EditException {
    int selected = lines(selection).size();
    int answered = lines(code).size();
    if (selected < SHORTEST_SELECTION || 2 * answered >= selected) {
      return code;
    }
    throw new EditException(
        "the answer has "
            + answered
            + (answered == 1 ? " line" : " lines")
            + " of code for the "
            + selected
            + " selected, so taking it would delete the rest; refused. Ask again, or select"
            + " only the lines to fix");
  }

  /** Dice's coefficient of two multisets of words: 1 for the same words, 0 for none shared. */
  static double likeness(Map<String, Integer> a, Map<String, Integer> b) {
    int sizeA = a.values().stream().mapToInt(Integer::intValue).sum();
    int sizeB = b.values().stream().mapToInt(Integer::intValue).sum();
    if (sizeA + sizeB == 0) {
      return 0;
    }
    int shared = 0;
    for (var e : a.entrySet()) {
      shared += Math.min(e.getValue(), b.getOrDefault(e.getKey(), 0));
    }
    return 2.0 * shared / (sizeA + sizeB);
  }

  private static Map<String, Integer> words(String code) {
    Map<String, Integer> counts = new HashMap<>();
    Matcher m = WORD.matcher(code);
    while (m.find()) {
      counts.merge(m.group(), 1, Integer::sum);
    }
    return counts;
  }

  /** The non-blank lines, stripped: a copy re-indented or re-spaced is still a copy. */
  private static List<String> lines(String code) {
    List<String> lines = new ArrayList<>();
    for (String line : code.split("\n")) {
      if (!line.isBlank()) {
        lines.add(line.strip());
      }
    }
    return lines;
  }
}
