package dev.cromwell.benchmarks;

import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Whether models decode as fast in a JVM that has already run other models as when they ran first,
 * as the warm daemon needs when an editor's settings switch it to another model. Two passes load
 * each model given in turn (copy load, as the editor server does) and time {@code tokens} decode
 * steps; the second pass's speed of each model is printed as a ratio to its first. The engine's own
 * tests showed such a slowdown (the real SmolLM2 2-3x slower in a JVM that had run tiny models of
 * every weight format before), likely because the kernels' call sites had seen too many formats for
 * C2 to inline their Vector API code. {@code java ... ModelSwitchProbe THREADS TOKENS MODEL.gguf
 * MODEL.gguf...}.
 */
public final class ModelSwitchProbe {
  private static final String PROMPT = "def mean(values):\n    return";
  private static final int CONTEXT = 2048;

  public static void main(String[] args) {
    if (args.length < 3) {
      System.err.println("usage: ModelSwitchProbe THREADS TOKENS MODEL.gguf MODEL.gguf...");
      System.exit(2);
    }
    int threads = Integer.parseInt(args[0]);
    int tokens = Integer.parseInt(args[1]);
    Path[] models = Arrays.stream(args).skip(2).map(Path::of).toArray(Path[]::new);
    double[] first = new double[models.length];
    for (int pass = 1; pass <= 2; pass++) {
      for (int m = 0; m < models.length; m++) {
        double speed = decode(models[m], threads, tokens);
        System.out.printf(
            "pass %d  %-40s %6.1f tokens/s%s%n",
            pass,
            models[m].getFileName(),
            speed,
            pass == 1 ? "" : String.format("  (%.2fx its first pass)", speed / first[m]));
        if (pass == 1) {
          first[m] = speed;
        }
      }
    }
  }

  /**
   * Tokens per second of {@code tokens} decode steps after a short prompt: three rounds, the first
   * a warm-up, the better of the other two.
   */
  private static double decode(Path path, int threads, int tokens) {
    try (Model model = Model.load(path, new Model.Options(threads, CONTEXT, 64, LoadMode.COPY))) {
      int[] prompt = model.tokenizer().encode(PROMPT, true);
      if (prompt.length + tokens > CONTEXT) {
        throw new IllegalArgumentException("at most " + (CONTEXT - prompt.length) + " tokens");
      }
      double best = 0;
      for (int round = 0; round < 3; round++) {
        Session session = model.newSession();
        session.prefill(prompt, () -> false);
        long start = System.nanoTime();
        for (int i = 0; i < tokens; i++) {
          session.next(220 + (i % 7)); // any ids: speed does not depend on them
        }
        double perSecond = tokens / ((System.nanoTime() - start) / 1e9);
        if (round > 0) {
          best = Math.max(best, perSecond);
        }
      }
      return best;
    }
  }
}
