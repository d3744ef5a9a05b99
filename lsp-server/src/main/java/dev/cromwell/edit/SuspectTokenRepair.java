package dev.cromwell.edit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The smallest change to the suspect line ({@link SuspectLine}) that makes it read likely: its
 * least likely token, or the token before it, taken out or swapped for one of the tokens the model
 * expected there. Injected and natural bugs alike are mostly one token (a {@code not} before a
 * return value, {@code +} for {@code *}, a bound off by one, a wrong name), and the line reads
 * unlikely at that token or, after a wrong value or name, at the next one; the fill ({@link
 * SuspectLineRefill}) writes the whole line anew, and on the 1.5B's fix tasks it often wrote a
 * different line where the one-token change was the fix ({@code return not x} filled as {@code
 * return sorted(x)}; docs/QUALITY.md, "Fix tasks: the one-token repair").
 *
 * <p>Nothing is tried where the line reads likely in the file at hand (an answer's file, whose
 * lines above it changed), and no candidate that binds other names than the line (a renamed
 * assignment target). Each candidate line is scored where it stands, with the {@link #FOLLOWING}
 * lines after it: it is taken only when it reads likely ({@link SuspectLine#unlikelyEnough} no
 * longer) and the lines after it read above the threshold or, where they read near or below it
 * already, no more than {@link #LATER_LINE_SLACK} worse than they did, so that a change that only
 * moves the surprise to a later line (a dropped name the next line needs) is not taken. Of those,
 * the candidate whose least likely token is most likely wins.
 */
final class SuspectTokenRepair {
  /** Lines after the suspect one that are scored with each candidate. */
  static final int FOLLOWING = 2;

  /**
   * How much less likely (natural log) a later line that already read near or below the threshold
   * may read after a candidate: scores move by hundredths when the line before them changes
   * (HumanEval/1's next-but-one line: -6.53 as it stands, -6.58 after the fix).
   */
  static final double LATER_LINE_SLACK = 1.0;

  private SuspectTokenRepair() {}

  /**
   * A repair: the file with the line changed, the line before and after (stripped), and the
   * after-line's least likely token with the lines after it (natural log-probability).
   */
  record Repair(String text, String before, String after, double lowest) {}

  /**
   * {@code file} with {@code suspect}'s line repaired, or null when no candidate reads likely (or
   * the model cannot say: it cannot score, its queue is full, {@code cancelled}).
   *
   * @param head the text before the file where it was scored (the fix prompt's head)
   */
  static Repair repair(
      EditModel model, String head, String file, SuspectLine suspect, BooleanSupplier cancelled) {
    try {
      return repaired(model, head, file, suspect, cancelled);
    } catch (RuntimeException e) {
      // A full queue or a model unloaded under a served edit: the repair is a further guess, and
      // the answer in hand stands without it.
      return null;
    }
  }

  private static Repair repaired(
      EditModel model, String head, String file, SuspectLine suspect, BooleanSupplier cancelled) {
    LineScores.LeastLikelyToken token = suspect.token();
    if (token == null || !suspect.unlikelyEnough()) {
      return null;
    }
    int start = EditService.offsetOfLine(file, suspect.line() - 1);
    String line = suspect.text();
    if (!file.startsWith(line, start) || token.end() > line.length()) {
      return null; // not the file it was scored in
    }
    int end = start + line.length();
    String context = head + file.substring(0, start);
    String after = following(file, end);
    LineScores asItStands = model.lineScores(context, line + after, cancelled);
    if (asItStands.isEmpty()
        || cancelled.getAsBoolean()
        || asItStands.lowest()[0] >= SuspectLine.threshold()) {
      // In an answer's file the lines above may have changed, and the line with them may read
      // likely now: no bug left to the model there.
      return null;
    }
    java.util.Set<String> binds = SuspectLineRefill.bindings(line);
    String best = null;
    double bestLowest = Double.NEGATIVE_INFINITY;
    for (String candidate : candidates(line, token)) {
      if (!SuspectLineRefill.bindings(candidate).equals(binds)) {
        continue; // a renamed target: the lines that read the old name would fail
      }
      LineScores scored = model.lineScores(context, candidate + after, cancelled);
      if (scored.isEmpty() || cancelled.getAsBoolean()) {
        return null;
      }
      double lowest = readsLikely(scored.lowest(), asItStands.lowest());
      if (lowest > bestLowest) {
        best = candidate;
        bestLowest = lowest;
      }
    }
    if (best == null) {
      return null;
    }
    return new Repair(
        file.substring(0, start) + best + file.substring(end),
        line.strip(),
        best.strip(),
        bestLowest);
  }

  /**
   * The line with its least likely token taken out, then with each expected token in its place;
   * then the same for the token before it (a wrong name reads likely itself, and the token after it
   * does not); none blank or the line itself. A line end's {@code \r} stays where it is.
   */
  static List<String> candidates(String line, LineScores.LeastLikelyToken token) {
    Set<String> out = new LinkedHashSet<>();
    swaps(out, line, token);
    if (token.previous() != null) {
      swaps(out, line, token.previous());
    }
    out.removeIf(c -> c.isBlank() || c.equals(line));
    return new ArrayList<>(out);
  }

  /** {@code line} with {@code slot}'s token taken out, then with each expected one in its place. */
  private static void swaps(Set<String> out, String line, LineScores.LeastLikelyToken slot) {
    if (slot.start() < 0
        || slot.end() > line.length()
        || slot.start() >= slot.end()
        || line.substring(slot.start(), slot.end()).isBlank()) {
      return; // indentation is Python's block structure, not a token to swap
    }
    String before = line.substring(0, slot.start());
    String rest = line.substring(slot.end());
    out.add(before + rest);
    for (String expected : slot.expected()) {
      if (!expected.isBlank()) {
        out.add(before + expected + rest);
      }
    }
  }

  /**
   * The lowest score among a candidate's line and the lines after it when it reads likely (its line
   * above the threshold, each later line above the threshold or as likely as it was with the line
   * as it stands), else negative infinity.
   */
  private static double readsLikely(double[] candidate, double[] asItStands) {
    if (candidate.length == 0 || candidate[0] < SuspectLine.threshold()) {
      return Double.NEGATIVE_INFINITY;
    }
    double lowest = candidate[0];
    for (int i = 1; i < Math.min(candidate.length, asItStands.length); i++) {
      if (candidate[i] < Math.min(SuspectLine.threshold(), asItStands[i] - LATER_LINE_SLACK)) {
        return Double.NEGATIVE_INFINITY;
      }
      lowest = Math.min(lowest, candidate[i]);
    }
    return lowest;
  }

  /** The line end at {@code end} of {@code text} and the {@link #FOLLOWING} lines after it. */
  private static String following(String text, int end) {
    int at = end;
    for (int i = 0; i <= FOLLOWING && at < text.length(); i++) {
      int next = text.indexOf('\n', at);
      at = next < 0 ? text.length() : next + 1;
    }
    // Without the last line's end: a final newline would score an empty line of its own.
    String after = text.substring(end, at);
    return after.endsWith("\n") && after.length() > 1
        ? after.substring(0, after.length() - 1)
        : after;
  }
}
