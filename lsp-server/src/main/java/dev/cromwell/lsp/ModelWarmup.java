package dev.cromwell.lsp;

import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.protocol.FimFormat;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Runs a freshly loaded model's kernels on small views of its weights ({@link
 * dev.cromwell.engine.model.Model#warmKernels}) and then over a few throw-away completions before
 * it serves the editor, so that the JIT has compiled the kernels for this model's shapes (batched
 * prefill and one-token decode) and the user's first suggestion is not cut short by the time limit
 * while the code is still interpreted. Bounded in rounds and wall time; {@code
 * -Dcromwell.warmup=false} skips it (to measure what it is worth). It stops as soon as a newer
 * configuration supersedes the load ({@link ModelLoader#supersededCheck()}), since the model it
 * warms will be closed unused.
 */
final class ModelWarmup {
  private static final String KEY = "cromwell:warm-up";
  private static final int ROUNDS = 2;
  private static final int KERNEL_ROUNDS = 500;
  private static final long KERNEL_BUDGET_NANOS = 3_000_000_000L;
  private static final long BUDGET_NANOS = 6_000_000_000L;

  private ModelWarmup() {}

  static ModelCompleter warm(ModelCompleter completer) {
    if (!Boolean.parseBoolean(System.getProperty("cromwell.warmup", "true"))) {
      return completer;
    }
    long start = System.nanoTime();
    BooleanSupplier superseded = ModelLoader.supersededCheck();
    // First the matrix kernels on small views of the weights (cheap calls, so C2 compiles them
    // after a fraction of the cold work), then whole completions for the rest of the forward pass.
    completer.model().warmKernels(KERNEL_ROUNDS, KERNEL_BUDGET_NANOS, superseded);
    try {
      for (int round = 0;
          round < ROUNDS && System.nanoTime() - start < BUDGET_NANOS && !superseded.getAsBoolean();
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
        completer.complete(
            KEY, prompt, GenerationRequest.TextStop.NEVER, 12, BUDGET_NANOS, superseded);
      }
    } finally {
      completer.forget(KEY);
    }
    return completer;
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
