package dev.cromwell.benchmarks.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link KernelBenchmarks} and prints, per weight type, GB/s of weights streamed by the decode
 * matvec and GFLOP/s of the matvec and of the prefill matmul.
 *
 * <pre>
 * java -cp benchmarks/target/classes:benchmarks/target/lib/* \
 *     dev.cromwell.benchmarks.jmh.KernelBench [TYPE,TYPE...] [--threads N] [--vector-bits 256]
 * </pre>
 */
public final class KernelBench {
  private KernelBench() {}

  public static void main(String[] args) throws RunnerException {
    List<String> types = new ArrayList<>();
    String threads = "1";
    String bits = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--threads" -> threads = args[++i];
        case "--vector-bits" -> bits = args[++i];
        case "-h", "--help" -> {
          System.out.println(
              "usage: KernelBench [TYPE,TYPE...] [--threads N] [--vector-bits 256|512]");
          return;
        }
        default -> types.addAll(List.of(args[i].split(",")));
      }
    }
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include(KernelBenchmarks.class.getName())
            .param("threads", threads)
            .shouldFailOnError(true);
    if (!types.isEmpty()) {
      options.param("type", types.toArray(String[]::new));
    }
    if (bits != null) {
      options.jvmArgsAppend("-Dcromwell.vector.bits=" + bits);
    }
    Collection<RunResult> results = new Runner(options.build()).run();

    System.out.printf(
        "%n%-5s %7s %-8s %12s %10s %10s%n",
        "type", "threads", "kernel", "µs/op", "GB/s", "GFLOP/s");
    for (RunResult result : results) {
      String type = result.getParams().getParam("type");
      String kernel = result.getParams().getBenchmark().replaceAll(".*\\.", "");
      double micros = result.getPrimaryResult().getScore();
      double seconds = micros / 1e6;
      String gbs = "";
      double flops;
      if (kernel.equals("matvec")) {
        gbs = String.format("%.1f", KernelBenchmarks.matvecBytes(type) / seconds / 1e9);
        flops = 2.0 * KernelBenchmarks.MATVEC_ROWS * KernelBenchmarks.MATVEC_COLS;
      } else {
        flops =
            2.0
                * KernelBenchmarks.MATMUL_ROWS
                * KernelBenchmarks.MATMUL_COLS
                * KernelBenchmarks.MATMUL_TOKENS;
      }
      System.out.printf(
          "%-5s %7s %-8s %12.1f %10s %10.1f%n",
          type, threads, kernel, micros, gbs, flops / seconds / 1e9);
    }
  }
}
