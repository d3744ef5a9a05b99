package dev.cromwell.benchmarks;

import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Whether a model decodes as fast in a JVM that has already run other models as in a fresh one, as
 * the warm daemon must when an editor's settings switch it to another model. Each model given is
 * loaded in turn (copy load, as the editor server does) and decodes {@code tokens} tokens; then the
 * first model is loaded again and measured once more. Prints tokens/s of each pass and the last
 * pass's ratio to the first. The JIT compiles the kernels for the weight formats it has seen: a
 * call site that has seen more formats than C2 inlines for runs the Vector API code out of line,
 * which is what the engine's tests showed (the real model 2-3x slower after the tiny models of
 * every format). {@code java ... ModelSwitchProbe THREADS TOKENS MODEL.gguf...}.
 */
public final class ModelSwitchProbe {

  public static void main(String[] args) {
    int threads = Integer.parseInt(args[0]);
    int tokens = Integer.parseInt(args[1]);
    Path[] models = Arrays.stream(args).skip(2).map(Path::of).toArray(Path[]::new);
    double first = decode(models[0], threads, tokens, "first");
    for (int i = 1; i < models.length; i++) {
      decode(models[i], threads, tokens, "then");
    }
    double again = decode(models[0], threads, tokens, "again");
    System.out.printf("%s again / first: %.2fx%n", models[0].getFileName(), again / first);
  }

  /** Tokens per second of {@code tokens} decode steps after a short prompt, two rounds, best. */
  private static double decode(Path path, int threads, int tokens, String label) {
    try (Model model = Model.load(path, new Model.Options(threads, 2048, 64, LoadMode.COPY))) {
      int[] prompt = model.tokenizer().encode("def mean(values):\n    return", true);
      double best = 0;
      for (int round = 0; round < 3; round++) {
        Session session = model.newSession();
        session.prefill(prompt, () -> false);
        long start = System.nanoTime();
        for (int i = 0; i < tokens; i++) {
          session.next(220 + (i % 7)); // any ids: speed does not depend on them
        }
        double perSecond = tokens / ((System.nanoTime() - start) / 1e9);
        best = round == 0 ? best : Math.max(best, perSecond); // round 0 warms up
      }
      System.out.printf("%-6s %-40s %.1f tokens/s%n", label, path.getFileName(), best);
      return best;
    }
  }
}
