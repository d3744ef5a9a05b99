package dev.cromwell.benchmarks.eval;

import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.model.ModelConfig;

/**
 * One value of {@code bin/eval --speculate}: {@code auto} (what {@code cromwell edit} does), {@code
 * off}, {@code on} (prompt lookup as {@link Speculation#PROMPT_LOOKUP}), or {@code on:N} (prompt
 * lookup proposing at most N tokens at once).
 */
record SpeculationSetting(String name, int maxDraft) {
  private static final int AUTO = -1;
  private static final int OFF = 0;

  static SpeculationSetting parse(String text) {
    String s = text.strip();
    if (s.equals("auto")) {
      return new SpeculationSetting(s, AUTO);
    }
    if (s.equals("off")) {
      return new SpeculationSetting(s, OFF);
    }
    if (s.equals("on")) {
      return new SpeculationSetting(s, Speculation.PROMPT_LOOKUP.maxDraft());
    }
    if (s.startsWith("on:")) {
      try {
        int n = Integer.parseInt(s.substring(3));
        if (n > 0) {
          return new SpeculationSetting(s, n);
        }
      } catch (NumberFormatException e) {
        // Falls through to the message below.
      }
    }
    throw new IllegalArgumentException(
        "--speculate takes auto, off, on or on:N (N > 0 draft tokens), not '" + text + "'");
  }

  /** The speculation for {@code request} on a model of shape {@code model}. */
  Speculation speculation(GenerationRequest request, ModelConfig model) {
    if (maxDraft == AUTO) {
      return Speculation.auto(request, model);
    }
    if (maxDraft == OFF) {
      return Speculation.OFF;
    }
    Speculation on = Speculation.PROMPT_LOOKUP;
    return new Speculation(true, on.maxNgram(), on.minNgram(), maxDraft);
  }
}
