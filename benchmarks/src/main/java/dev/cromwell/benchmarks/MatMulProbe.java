package dev.cromwell.benchmarks;

import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.GgmlType;
import dev.cromwell.kernels.formats.RearrangedFormat;
import dev.cromwell.kernels.formats.WeightFormat;
import dev.cromwell.kernels.ops.MatMul;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

/**
 * Quick prefill probe: one layer of a model's matrices (query, key, value, output, gate, up, down)
 * times a chunk of tokens, in the layout {@code --load copy} gives, as GFLOP/s (median of the
 * repetitions; prompt processing spends most of its time here). Steadier than {@code cromwell bench
 * -p}, which also runs attention and varies more between runs.
 *
 * <p>{@code java ... MatMulProbe [threads] [TYPE] [hidden] [ffn] [kv] [tokens] [reps]}: the
 * defaults are Q4_0 and the 0.5B model's shapes (896, 4864, 128) with 64 tokens.
 */
public final class MatMulProbe {
  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    GgmlType type = GgmlType.valueOf(args.length > 1 ? args[1] : "Q4_0");
    int hidden = args.length > 2 ? Integer.parseInt(args[2]) : 896;
    int ffn = args.length > 3 ? Integer.parseInt(args[3]) : 4864;
    int kv = args.length > 4 ? Integer.parseInt(args[4]) : 128;
    int tokens = args.length > 5 ? Integer.parseInt(args[5]) : 64;
    int reps = args.length > 6 ? Integer.parseInt(args[6]) : 40;
    // rows × cols of query, key, value, output, gate, up, down.
    int[][] shapes = {
      {hidden, hidden},
      {kv, hidden},
      {kv, hidden},
      {hidden, hidden},
      {ffn, hidden},
      {ffn, hidden},
      {hidden, ffn}
    };
    Random rnd = new Random(1);
    try (WorkerPool pool = new WorkerPool(threads);
        Arena arena = Arena.ofShared()) {
      WeightFormat[] formats = new WeightFormat[shapes.length];
      MemorySegment[] weights = new MemorySegment[shapes.length];
      double flops = 0;
      for (int m = 0; m < shapes.length; m++) {
        int rows = shapes[m][0];
        int cols = shapes[m][1];
        WeightFormat ggml = WeightFormat.of(type);
        MemorySegment w = arena.allocate(ggml.rowBytes(cols) * rows, 64);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            row[c] = (float) (rnd.nextGaussian() * 0.02);
          }
          MemorySegment.copy(
              MemorySegment.ofArray(ggml.quantize(row)),
              0,
              w,
              r * ggml.rowBytes(cols),
              ggml.rowBytes(cols));
        }
        formats[m] = ggml;
        weights[m] = w;
        RearrangedFormat grouped = RearrangedFormat.of(type, cols).orElse(null);
        if (grouped != null) {
          MemorySegment moved = arena.allocate(grouped.rowBytes(cols) * rows, 64);
          grouped.rearrange(w, moved, rows, cols);
          formats[m] = grouped;
          weights[m] = moved;
        }
        flops += 2.0 * rows * cols * tokens;
      }
      float[][] xs = new float[tokens][Math.max(hidden, ffn)];
      for (float[] x : xs) {
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) rnd.nextGaussian();
        }
      }
      float[][] outs = new float[tokens][Math.max(hidden, ffn)];
      double[] seconds = new double[reps];
      for (int rep = 0; rep < reps; rep++) {
        long start = System.nanoTime();
        for (int m = 0; m < shapes.length; m++) {
          MatMul.matmul(
              formats[m], weights[m], 0, xs, outs, tokens, shapes[m][0], shapes[m][1], pool);
        }
        seconds[rep] = (System.nanoTime() - start) / 1e9;
      }
      // The second half: after the JIT has compiled the kernels.
      double[] warm = Arrays.copyOfRange(seconds, reps / 2, reps);
      Arrays.sort(warm);
      System.out.printf(
          "%s (%s) %d threads %d-bit, %d tokens, hidden %d, ffn %d: %.1f GFLOP/s (median of %d;"
              + " best %.1f)%n",
          type,
          formats[0] instanceof RearrangedFormat ? "grouped" : "GGML layout",
          threads,
          VectorWidth.bits(),
          tokens,
          hidden,
          ffn,
          flops / warm[warm.length / 2] / 1e9,
          warm.length,
          flops / warm[0] / 1e9);
    }
  }
}
