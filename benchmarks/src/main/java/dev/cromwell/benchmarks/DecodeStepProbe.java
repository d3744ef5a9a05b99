package dev.cromwell.benchmarks;

import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.engine.model.DecodeBatch;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Time of one batched decode step ({@link DecodeBatch#step}) of 1, 2, 4 and 8 sequences, the number
 * that decides batched serving's speed-up (issue 21): one sequence decodes through the one-token
 * kernels, more through {@code Transformer.forwardRows}. Rounds alternate the counts so that a busy
 * machine slows them alike; prints the median step time per count and its ratio to the first
 * count's. {@code java ... DecodeStepProbe MODEL.gguf [threads] [rounds] [counts: 1,2,4,8]}.
 */
public final class DecodeStepProbe {

  public static void main(String[] args) {
    Path path = Path.of(args[0]);
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int[] counts =
        args.length > 3
            ? java.util.Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray()
            : new int[] {1, 2, 4, 8};
    try (Model model = Model.load(path, new Model.Options(threads, 2048, 64, LoadMode.COPY))) {
      List<Session> sessions = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Session s = model.newSession();
        s.prefill(
            model.tokenizer().encode("def function_" + i + "(values):\n    return", true),
            () -> false);
        sessions.add(s);
      }
      DecodeBatch batch = new DecodeBatch(model, 8);
      int[] next = new int[8];
      Arrays.fill(next, 220);
      long[][] nanos = new long[counts.length][rounds];
      for (int round = -5; round < rounds; round++) {
        for (int c = 0; c < counts.length; c++) {
          long start = System.nanoTime();
          batch.step(sessions.subList(0, counts[c]), next);
          long took = System.nanoTime() - start;
          if (round >= 0) {
            nanos[c][round] = took;
          }
        }
      }
      double one = median(nanos[0]);
      for (int c = 0; c < counts.length; c++) {
        double ms = median(nanos[c]) / 1e6;
        System.out.printf(
            "%d rows: step %.1f ms median (%.2fx one row), %.1f tokens/s%n",
            counts[c], ms, median(nanos[c]) / one, counts[c] * 1000 / ms);
      }
    }
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
