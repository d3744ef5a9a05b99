package dev.cromwell.benchmarks;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a speculative verify pass costs against one decode step, the number that bounds prompt
 * lookup's speed-up: after a prompt of about 500 tokens, times {@code Session.next} (one token),
 * {@code Session.extend} of k tokens (the verify pass: logits after every row), the same k tokens
 * through {@code Session.prefill} (logits after the last row only, so the difference is the output
 * matrix's share), and {@code Session.truncate} (the rollback). Rounds alternate the sizes so that
 * a busy machine slows them alike; prints medians. {@code java ... VerifyPassProbe MODEL.gguf
 * [threads] [rounds] [sizes: 2,4,8,11,16,32,64]}.
 */
public final class VerifyPassProbe {

  public static void main(String[] args) {
    Path path = Path.of(args[0]);
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int[] sizes =
        args.length > 3
            ? Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray()
            : new int[] {2, 4, 8, 11, 16, 32, 64};
    try (Model model = Model.load(path, new Model.Options(threads, 2048))) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 80; i++) {
        text.append("def function_").append(i).append("(values):\n    return sum(values)\n");
      }
      int[] tokens = model.tokenizer().encode(text.toString(), false);
      int prompt = 500;
      int[] base = Arrays.copyOf(tokens, prompt);
      Session s = model.newSession();
      s.prefill(base, () -> false);
      float[][] rows = s.rows(Arrays.stream(sizes).max().orElse(1));
      long[] next = new long[rounds];
      long[][] extend = new long[sizes.length][rounds];
      long[][] prefill = new long[sizes.length][rounds];
      long[][] truncate = new long[sizes.length][rounds];
      for (int round = -2; round < rounds; round++) {
        long t0 = System.nanoTime();
        s.next(tokens[prompt]);
        long took = System.nanoTime() - t0;
        s.truncate(prompt);
        if (round >= 0) {
          next[round] = took;
        }
        for (int i = 0; i < sizes.length; i++) {
          int k = sizes[i];
          int[] batch = Arrays.copyOfRange(tokens, prompt, prompt + k);
          t0 = System.nanoTime();
          s.extend(batch, rows);
          long e = System.nanoTime() - t0;
          t0 = System.nanoTime();
          s.truncate(prompt);
          long t = System.nanoTime() - t0;
          int[] longer = Arrays.copyOf(tokens, prompt + k);
          t0 = System.nanoTime();
          s.prefill(longer, () -> false);
          long p = System.nanoTime() - t0;
          s.truncate(prompt);
          if (round >= 0) {
            extend[i][round] = e;
            truncate[i][round] = t;
            prefill[i][round] = p;
          }
        }
      }
      double one = median(next) / 1e6;
      System.out.printf("next (1 token): %.1f ms%n", one);
      System.out.println(
          "| k | extend ms | × next | ms/row | prefill (last logits) ms | output matrix share | truncate µs |");
      System.out.println("|---|---|---|---|---|---|---|");
      for (int i = 0; i < sizes.length; i++) {
        double e = median(extend[i]) / 1e6;
        double p = median(prefill[i]) / 1e6;
        System.out.printf(
            "| %d | %.1f | %.2f | %.2f | %.1f | %.0f%% | %.0f |%n",
            sizes[i], e, e / one, e / sizes[i], p, 100 * (e - p) / e, median(truncate[i]) / 1e3);
      }
    }
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
