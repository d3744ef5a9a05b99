package dev.cromwell.benchmarks.eval;

import java.util.List;

/**
 * One task's result.
 *
 * @param exact the file equals the reference (FIM tasks; false elsewhere)
 * @param reason why it failed (a refusal, a test failure, a changed outside), empty when passed
 * @param output what the engine produced, for reading failures
 * @param steps what a fix did beyond its first answer ({@link dev.cromwell.edit.FixStep}, as the
 *     record prints itself), empty elsewhere
 */
public record Outcome(
    String id,
    boolean passed,
    boolean exact,
    String reason,
    double seconds,
    String output,
    List<String> steps) {
  public Outcome(
      String id, boolean passed, boolean exact, String reason, double seconds, String output) {
    this(id, passed, exact, reason, seconds, output, List.of());
  }

  Outcome withSeconds(double taken) {
    return new Outcome(id, passed, exact, reason, taken, output, steps);
  }

  Outcome withSteps(List<String> taken) {
    return new Outcome(id, passed, exact, reason, seconds, output, List.copyOf(taken));
  }
}
