package dev.cromwell.lsp;

import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.model.Model;
import dev.cromwell.protocol.FimFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Runs a freshly loaded model's kernels on small views of its weights ({@link
 * dev.cromwell.engine.model.Model#warmKernels}) and then over a few throw-away completions before
 * it serves the editor, so that the JIT has compiled the kernels for this model's shapes (batched
 * prefill and one-token decode) and the user's first suggestion is not cut short by the time limit
 * while the code is still interpreted. Bounded in rounds and wall time; {@code
 * -Dcromwell.warmup=false} skips it and {@code -Dcromwell.warmup.completions=N} runs N completions
 * instead of two (to measure what each part is worth); the last of them is an editor request
 * through the whole completion path ({@link CompletionRehearsal}). It stops as soon as a newer
 * configuration supersedes the load ({@link ModelLoader#supersededCheck()}), since the model it
 * warms will be closed unused. With {@code -Dcromwell.timing=true} it writes where the load and the
 * warm-up took their time to stderr as one line ({@link #line}).
 */
final class ModelWarmup {
  private static final String KEY = "cromwell:warm-up";
  private static final int ROUNDS =
      Math.max(0, Integer.getInteger("cromwell.warmup.completions", 2));
  private static final int KERNEL_ROUNDS = 500;
  private static final long KERNEL_BUDGET_NANOS = 3_000_000_000L;
  private static final long BUDGET_NANOS = 6_000_000_000L;

  private ModelWarmup() {}

  /**
   * What a warm-up did: its kernel rounds and their time, each completion's time, and whether the
   * last completion was the editor request ({@link CompletionRehearsal}).
   */
  record Phases(
      int kernelRounds, long kernelNanos, List<Long> completionNanos, boolean rehearsed) {}

  static ModelCompleter warm(ModelCompleter completer) {
    if (!Boolean.parseBoolean(System.getProperty("cromwell.warmup", "true"))) {
      log(completer.model(), null);
      return completer;
    }
    log(completer.model(), run(completer));
    return completer;
  }

  /** Warms {@code completer} up (see the class comment) and says what that took. */
  static Phases run(ModelCompleter completer) {
    long start = System.nanoTime();
    BooleanSupplier superseded = ModelLoader.supersededCheck();
    // First the matrix kernels on small views of the weights (cheap calls, so C2 compiles them
    // after a fraction of the cold work), then whole completions for the rest of the forward pass.
    int kernelRounds =
        completer.model().warmKernels(KERNEL_ROUNDS, KERNEL_BUDGET_NANOS, superseded);
    long kernelNanos = System.nanoTime() - start;
    List<Long> completions = new ArrayList<>();
    try {
      for (int round = 0;
          round < ROUNDS - 1
              && System.nanoTime() - start < BUDGET_NANOS
              && !superseded.getAsBoolean();
          round++) {
        // A different prompt each round: the whole prefill runs again instead of the KV cache.
        List<FimFormat.Part> prompt =
            completer
                .format()
                .render(
                    "warmup" + round + ".py",
                    prefix(round),
                    "\n    return total\n",
                    List.of(),
                    "#");
        long before = System.nanoTime();
        completer.complete(
            KEY, prompt, GenerationRequest.TextStop.NEVER, 12, BUDGET_NANOS, superseded);
        completions.add(System.nanoTime() - before);
      }
    } finally {
      completer.forget(KEY);
    }
    // The last completion is an editor request on a synthetic workspace: besides the forward
    // pass, the first user request then finds the code of the index's planning, the prompt's
    // assembly and the stop rules loaded and partly compiled (the index's own caches are
    // PlanAhead's). It runs even when the rounds above used the budget (a busy machine, where
    // the cold code costs most); its own time limit bounds it (twice that in the engine).
    boolean rehearsed = false;
    if (ROUNDS > 0 && !superseded.getAsBoolean()) {
      long before = System.nanoTime();
      try {
        // Only a rehearsal that ran to its end counts (the timing line says so); one dropped or
        // cut short because the load was superseded does not.
        rehearsed =
            CompletionRehearsal.run(completer, superseded) instanceof CompletionLane.Outcome.Ran ran
                && !ran.cancelled();
        if (rehearsed) {
          completions.add(System.nanoTime() - before);
        }
      } catch (RuntimeException e) {
        // No temporary folder to write the workspace to, or a fault in the completion path the
        // rehearsal runs: the model itself is loaded and warm, so it serves all the same, and
        // the server's log says why the rehearsal did not run.
        System.err.println(
            "cromwell: the warm-up's editor request failed ("
                + e
                + "); the model serves without it");
      }
    }
    return new Phases(kernelRounds, kernelNanos, completions, rehearsed);
  }

  private static void log(Model model, Phases warmUp) {
    if (CompletionTiming.ENABLED) {
      System.err.println(line(model.loadTimes(), warmUp));
    }
  }

  /** The timing line of a load and its warm-up (null when skipped); times in ms. */
  static String line(Model.LoadTimes load, Phases warmUp) {
    String loaded =
        String.format(
            Locale.ROOT,
            "cromwell timing: load %.1f ms = open %.1f + weights %.1f (tokenizer %.1f alongside)",
            ms(load.totalNanos()),
            ms(load.openNanos()),
            ms(load.weightsNanos()),
            ms(load.tokenizerNanos()));
    if (warmUp == null) {
      return loaded + "; no warm-up";
    }
    long total = warmUp.kernelNanos();
    StringBuilder each = new StringBuilder();
    for (long nanos : warmUp.completionNanos()) {
      total += nanos;
      each.append(each.isEmpty() ? "" : " + ")
          .append(String.format(Locale.ROOT, "%.1f", ms(nanos)));
    }
    return loaded
        + String.format(
            Locale.ROOT,
            "; warm-up %.1f ms = kernels %.1f (%d rounds) + completions [%s]%s",
            ms(total),
            ms(warmUp.kernelNanos()),
            warmUp.kernelRounds(),
            each,
            warmUp.rehearsed() ? ", the last an editor request" : "");
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static String prefix(int round) {
    StringBuilder sb = new StringBuilder("import os\nimport sys\n\n");
    for (int i = 0; i <= round + 2; i++) {
      sb.append("def helper_")
          .append(round)
          .append('_')
          .append(i)
          .append("(values):\n")
          .append("    \"\"\"Adds up the values.\"\"\"\n")
          .append("    total = 0\n    for v in values:\n        total += v * ")
          .append(i)
          .append("\n    return total\n\n");
    }
    return sb.append("def summarize(items):\n    total = 0\n    for item in items:\n        ")
        .toString();
  }
}
