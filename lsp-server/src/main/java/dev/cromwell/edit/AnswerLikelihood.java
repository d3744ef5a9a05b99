package dev.cromwell.edit;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * How likely the model finds the lines an answer changed, where they stand in the file: the least
 * likely token among them and the {@link SuspectTokenRepair#FOLLOWING} lines after them, scored as
 * the one-token repair scores its candidates, so that the two compare ({@link
 * FixStep.RepairedOverAnswer}).
 */
final class AnswerLikelihood {
  private AnswerLikelihood() {}

  /**
   * The natural log-probability of the least likely token of the lines where {@code answer} differs
   * from {@code text}, and the lines after them, scored after {@code head} and the lines both share
   * above them; NaN when they do not differ or the model cannot say.
   */
  static double lowest(
      EditModel model, String head, String text, String answer, BooleanSupplier cancelled) {
    String[] was = text.split("\n", -1);
    String[] now = answer.split("\n", -1);
    int first = 0;
    while (first < Math.min(was.length, now.length) && was[first].equals(now[first])) {
      first++;
    }
    int lastWas = was.length - 1;
    int lastNow = now.length - 1;
    while (lastWas >= first && lastNow >= first && was[lastWas].equals(now[lastNow])) {
      lastWas--;
      lastNow--;
    }
    if (first == was.length && first == now.length) {
      return Double.NaN;
    }
    int to = Math.min(now.length, lastNow + 1 + SuspectTokenRepair.FOLLOWING);
    String[] lines = Arrays.copyOfRange(now, Math.min(first, now.length), to);
    int changed = Math.max(0, lastNow + 1 - first);
    if (to == now.length && lines.length > changed + 1 && lines[lines.length - 1].isEmpty()) {
      // The file's final line end after later lines is left out, as the repair's candidates leave
      // it out (SuspectTokenRepair.following), so that both sides score the same kind of text.
      lines = Arrays.copyOf(lines, lines.length - 1);
    }
    String span = String.join("\n", lines);
    try {
      LineScores scored =
          model.lineScores(
              head + text.substring(0, EditService.offsetOfLine(text, first)), span, cancelled);
      return scored.isEmpty() || cancelled.getAsBoolean()
          ? Double.NaN
          : Arrays.stream(scored.lowest()).min().orElse(Double.NaN);
    } catch (RuntimeException e) {
      // A full queue under a served edit: no comparison, and the answer stands.
      return Double.NaN;
    }
  }
}
