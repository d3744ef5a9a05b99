package dev.cromwell.benchmarks.jmh;

import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.GgmlType;
import dev.cromwell.kernels.formats.WeightFormat;
import dev.cromwell.kernels.ops.MatMul;
import dev.cromwell.kernels.ops.MatVec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-kernel JMH benchmarks: a decode matvec over a matrix larger than the caches (weights streamed
 * from memory, as in generation) and a prefill matmul of a 64-token chunk. {@link KernelBench} runs
 * them and turns the times into GB/s of weights and GFLOP/s. Each type runs in its own JVM (a fork
 * per parameter set), so profiles of one format never slow another.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class KernelBenchmarks {
  /** Decode matrix: 24,576 × 2,048 (the columns fill whole K-quant super-blocks). */
  public static final int MATVEC_ROWS = 24_576;

  public static final int MATVEC_COLS = 2_048;

  /** Prefill: the 0.5B model's FFN up-projection times a 64-token chunk. */
  public static final int MATMUL_ROWS = 4_864;

  public static final int MATMUL_COLS = 1_024;
  public static final int MATMUL_TOKENS = 64;

  @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
  public String type;

  @Param({"1"})
  public int threads;

  private WorkerPool pool;
  private Arena arena;
  private WeightFormat format;
  private MemorySegment matvecWeights;
  private MemorySegment matmulWeights;
  private float[] x;
  private float[] out;
  private float[][] xs;
  private float[][] outs;

  @Setup(Level.Trial)
  public void setUp() {
    format = WeightFormat.of(GgmlType.valueOf(type));
    pool = new WorkerPool(threads);
    arena = Arena.ofShared();
    Random rnd = new Random(1);
    matvecWeights = encode(rnd, MATVEC_ROWS, MATVEC_COLS);
    matmulWeights = encode(rnd, MATMUL_ROWS, MATMUL_COLS);
    x = gaussian(rnd, MATVEC_COLS);
    out = new float[MATVEC_ROWS];
    xs = new float[MATMUL_TOKENS][];
    for (int t = 0; t < MATMUL_TOKENS; t++) {
      xs[t] = gaussian(rnd, MATMUL_COLS);
    }
    outs = new float[MATMUL_TOKENS][MATMUL_ROWS];
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
    arena.close();
  }

  /** One decode step's worth of one matrix: every weight read once. */
  @Benchmark
  public float[] matvec() {
    MatVec.matvec(format, matvecWeights, 0, x, out, MATVEC_ROWS, MATVEC_COLS, pool);
    return out;
  }

  /** One prefill chunk through one matrix: every row decoded once for 64 tokens. */
  @Benchmark
  public float[][] matmul() {
    MatMul.matmul(
        format, matmulWeights, 0, xs, outs, MATMUL_TOKENS, MATMUL_ROWS, MATMUL_COLS, pool);
    return outs;
  }

  /** Bytes of one matvec matrix in {@code type}. */
  public static long matvecBytes(String type) {
    return WeightFormat.of(GgmlType.valueOf(type)).rowBytes(MATVEC_COLS) * MATVEC_ROWS;
  }

  private MemorySegment encode(Random rnd, int rows, int cols) {
    long rowBytes = format.rowBytes(cols);
    MemorySegment w = arena.allocate(rowBytes * rows, 64);
    float[] row = new float[cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        row[c] = (float) (rnd.nextGaussian() * 0.02);
      }
      MemorySegment.copy(MemorySegment.ofArray(format.quantize(row)), 0, w, r * rowBytes, rowBytes);
    }
    return w;
  }

  private static float[] gaussian(Random rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }
}
