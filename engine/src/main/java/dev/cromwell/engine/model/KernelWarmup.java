package dev.cromwell.engine.model;

import dev.cromwell.kernels.WorkerPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Gets the JIT to compile a loaded model's matrix kernels before its first real request, cheaply:
 * each distinct kind of matrix (weight format and row length) is multiplied many times through a
 * view of its first few rows, one token at a time (the decode kernels) and as a batch (the prefill
 * kernels, outer-product and dot-product paths both), on the model's own worker pool.
 *
 * <p>Why few rows: until C2 has compiled them, the Vector API kernels run interpreted or in C1 code
 * tens of times slower, and C2 compiles a method once it has been called often enough, whatever the
 * shape. Full-size products reach those counts only after seconds of slow work (the first token of
 * a cold 0.5B takes seconds); views of a few rows reach them in a fraction of that, and the code
 * compiled for them is the code the full-size products run, since rows only change the trip count
 * of the outer loops.
 */
final class KernelWarmup {
  /** Rows of each view: two groups of the outer-product kernel's 12 rows. */
  private static final int ROWS = 24;

  /** Tokens of the batched product: one outer-product group (32) plus a dot-product remainder. */
  private static final int BATCH = 37;

  private KernelWarmup() {}

  /**
   * Runs up to {@code rounds} rounds over the model's kinds of matrix, stopping early once {@code
   * budgetNanos} have passed or {@code stop} says so; returns the rounds run.
   */
  static int warm(
      ModelWeights weights, WorkerPool pool, int rounds, long budgetNanos, BooleanSupplier stop) {
    List<Matrix> views = views(weights);
    int cols = views.stream().mapToInt(Matrix::cols).max().orElse(0);
    int rows = views.stream().mapToInt(Matrix::rows).max().orElse(0);
    float[][] xs = filled(BATCH, cols);
    float[][] outs = new float[BATCH][rows];
    long start = System.nanoTime();
    int round = 0;
    for (;
        round < rounds && System.nanoTime() - start < budgetNanos && !stop.getAsBoolean();
        round++) {
      for (Matrix m : views) {
        m.multiply(xs[0], outs[0], pool);
        m.multiply(xs, outs, BATCH, pool);
      }
    }
    return round;
  }

  /** A view of the first {@link #ROWS} rows of one matrix of each format and row length. */
  static List<Matrix> views(ModelWeights weights) {
    Map<String, Matrix> kinds = new LinkedHashMap<>();
    List<Matrix> all = new ArrayList<>();
    for (LayerWeights l : weights.layers()) {
      all.addAll(
          Arrays.asList(
              l.query(), l.key(), l.value(), l.attentionOutput(), l.gate(), l.up(), l.down()));
    }
    all.add(weights.output());
    for (Matrix m : all) {
      if (m != null) {
        kinds.putIfAbsent(
            m.format().getClass().getName() + "/" + m.format().type() + "/" + m.cols(),
            m.rows(0, Math.min(ROWS, m.rows())));
      }
    }
    return List.copyOf(kinds.values());
  }

  /** Vectors of small, varied values: products of zeros could take shortcuts real ones do not. */
  private static float[][] filled(int count, int cols) {
    float[][] xs = new float[count][cols];
    for (int t = 0; t < count; t++) {
      for (int i = 0; i < cols; i++) {
        xs[t][i] = ((t * 31 + i * 17) % 64 - 32) / 64f;
      }
    }
    return xs;
  }
}
