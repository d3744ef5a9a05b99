package dev.cromwell.benchmarks.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A fill-in-the-middle task made from a canonical solution as in Bavarian et al. 2022: the file is
 * {@code prefix + target + suffix}; the model sees prefix and suffix and writes the middle.
 *
 * @param id task id ("HumanEval/3 line 2")
 * @param indent the masked span's first-line indentation, which an editor's cursor stands after
 */
public record FimTask(
    String id, Problem problem, String prefix, String target, String suffix, String indent) {

  /**
   * Single-line infilling: every non-blank line of the solution masked in turn (its content), or
   * {@code maxPerProblem} of them drawn with {@code seed} (seeded per problem, kept in file order)
   * when it is positive — a sample that is the same on every run.
   */
  public static List<FimTask> singleLine(Problem p, int maxPerProblem, long seed) {
    List<String> lines = lines(p.canonicalSolution());
    List<FimTask> all = new ArrayList<>();
    StringBuilder before = new StringBuilder(p.prompt());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String content = line.strip();
      if (!content.isEmpty()) {
        String indent = line.substring(0, line.indexOf(content.charAt(0)));
        String after = line.endsWith("\n") ? "\n" : "";
        String rest = String.join("", lines.subList(i + 1, lines.size()));
        all.add(
            new FimTask(
                p.taskId() + " line " + (i + 1),
                p,
                before + indent,
                line.substring(indent.length(), line.length() - after.length()),
                after + rest,
                indent));
      }
      before.append(line);
    }
    if (maxPerProblem <= 0 || maxPerProblem >= all.size()) {
      return all;
    }
    List<Integer> picked = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      picked.add(i);
    }
    java.util.Collections.shuffle(picked, new Random(seed * 1_000_003L + p.number() + 7));
    picked = new ArrayList<>(picked.subList(0, maxPerProblem));
    picked.sort(null);
    return picked.stream().map(all::get).toList();
  }

  /**
   * The same single-line task with the cursor halfway into the line, as when the user stops typing
   * there: the first half of the line's content (trailing blanks not counted) moves into the
   * prefix, the rest of the line is the target, the lines after stay in the suffix. The cursor is
   * at the end of the new prefix.
   */
  public FimTask midLine() {
    int half = target.stripTrailing().length() / 2;
    if (half > 0 && Character.isLowSurrogate(target.charAt(half))) {
      half--; // never between the two chars of one code point
    }
    return new FimTask(
        id, problem, prefix + target.substring(0, half), target.substring(half), suffix, indent);
  }

  /** Multi-line infilling: one random span of whole lines per problem (seeded per problem). */
  public static FimTask multiLine(Problem p, long seed) {
    List<String> lines = lines(p.canonicalSolution());
    Random random = new Random(seed * 1_000_003L + p.number());
    int n = lines.size();
    int start;
    int length;
    do {
      start = random.nextInt(n);
      length = 1 + random.nextInt(Math.min(8, n - start));
    } while (n > 1 && length < 2 && n - start >= 2
        || String.join("", lines.subList(start, start + length)).isBlank());
    String span = String.join("", lines.subList(start, start + length));
    String first = lines.get(start);
    String indent = first.substring(0, first.length() - first.stripLeading().length());
    return new FimTask(
        p.taskId() + " lines " + (start + 1) + "-" + (start + length),
        p,
        p.prompt() + String.join("", lines.subList(0, start)),
        span,
        String.join("", lines.subList(start + length, n)),
        indent);
  }

  /** The reference file. */
  public String reference() {
    return prefix + target + suffix;
  }

  /** Lines with their line ends. */
  static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      end = end < 0 ? text.length() : end + 1;
      out.add(text.substring(start, end));
      start = end;
    }
    return out;
  }

  /** Files compared for exact match: trailing blanks of lines and of the file ignored. */
  public static boolean sameCode(String a, String b) {
    return normalize(a).equals(normalize(b));
  }

  private static String normalize(String s) {
    StringBuilder sb = new StringBuilder();
    for (String line : s.split("\n", -1)) {
      sb.append(line.stripTrailing()).append('\n');
    }
    return sb.toString().strip();
  }
}
