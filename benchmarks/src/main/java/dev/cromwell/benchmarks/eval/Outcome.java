package dev.cromwell.benchmarks.eval;

/**
 * One task's result.
 *
 * @param exact the file equals the reference (FIM tasks; false elsewhere)
 * @param reason why it failed (a refusal, a test failure, a changed outside), empty when passed
 * @param output what the engine produced, for reading failures
 */
public record Outcome(
    String id, boolean passed, boolean exact, String reason, double seconds, String output) {}
