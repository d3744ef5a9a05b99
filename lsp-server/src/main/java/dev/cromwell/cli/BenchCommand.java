package dev.cromwell.cli;

import com.google.gson.GsonBuilder;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.natives.Prefetch;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure prompt processing and generation speed, as llama-bench does.",
      "pp = prompt tokens / prompt time, tg = generated tokens / generation time, each from an",
      "empty cache, as mean ± standard deviation over the repetitions after the warm-up runs.",
      "Tokens are random ids (speed does not depend on them)."
    })
final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelOptions model;

  @Option(
      names = {"-p", "--prompt-tokens"},
      defaultValue = "512",
      description = "prompt length for pp (default: ${DEFAULT-VALUE}; 0 skips pp)")
  int promptTokens;

  @Option(
      names = {"-n", "--gen-tokens"},
      defaultValue = "128",
      description = "tokens to generate for tg (default: ${DEFAULT-VALUE}; 0 skips tg)")
  int genTokens;

  @Option(
      names = {"-r", "--repetitions"},
      defaultValue = "3",
      description = "measured repetitions (default: ${DEFAULT-VALUE})")
  int repetitions;

  @Option(
      names = "--warmup",
      defaultValue = "2",
      description =
          "unmeasured runs first (default: ${DEFAULT-VALUE}): the JIT compiles the kernels during"
              + " the first runs; with one warm-up the first measured pp512 still ran 20%% slow")
  int warmups;

  @Option(names = "--vector-bits", description = "force the vector width: 256 (AVX2) or 512")
  Integer vectorBits;

  @Option(
      names = "--prefill-chunk",
      defaultValue = "" + Model.BATCH_PREFILL_CHUNK,
      description =
          "prompt tokens per batch; 1 = token by token (default: ${DEFAULT-VALUE}, as generate"
              + " and edit; the editor server and serve use "
              + Model.DEFAULT_PREFILL_CHUNK
              + ")")
  int prefillChunk;

  @Option(names = "--json", description = "machine-readable output")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (vectorBits != null) {
      // Kernels pick their species when first loaded; nothing has loaded them yet in this command.
      System.setProperty(VectorWidth.PROPERTY, vectorBits.toString());
      if (VectorWidth.bits() != vectorBits) {
        throw new IllegalStateException(
            "vector width is already fixed at " + VectorWidth.bits() + " bits");
      }
    }
    if (repetitions < 1 || promptTokens < 0 || genTokens < 0 || warmups < 0) {
      throw new IllegalArgumentException("-r must be at least 1 and -p, -n, --warmup not negative");
    }
    PrintWriter out = spec.commandLine().getOut();
    long loadStart = System.nanoTime();
    try (Model m =
        Model.load(
            model.path(), model.options(Math.max(promptTokens, genTokens) + 8, prefillChunk))) {
      // Wall time of opening the file and laying out its weights: what --load copy costs.
      double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
      SplittableRandom random = new SplittableRandom(1);
      int vocabulary = m.tokenizer().vocabulary().size();
      int[] prompt = random.ints(promptTokens, 0, vocabulary).toArray();
      int[] generated = random.ints(Math.max(genTokens, 1), 0, vocabulary).toArray();
      double[] pp = new double[repetitions];
      double[] tg = new double[repetitions];
      for (int rep = -warmups; rep < repetitions; rep++) { // negative reps are warm-ups
        if (promptTokens > 0) {
          Session s = m.newSession();
          long t0 = System.nanoTime();
          s.prefill(prompt, () -> false);
          double rate = promptTokens / ((System.nanoTime() - t0) / 1e9);
          if (rep >= 0) {
            pp[rep] = rate;
          }
        }
        if (genTokens > 0) {
          Session s = m.newSession();
          long t0 = System.nanoTime();
          s.prefill(new int[] {generated[0]}, () -> false);
          for (int i = 1; i < genTokens; i++) {
            s.next(generated[i]);
          }
          double rate = genTokens / ((System.nanoTime() - t0) / 1e9);
          if (rep >= 0) {
            tg[rep] = rate;
          }
        }
      }
      long size = Files.size(model.path());
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("model", model.path().toString());
      result.put("modelBytes", size);
      result.put("weightBytes", m.weights().bytes());
      result.put("threads", m.threads());
      result.put("vectorBits", VectorWidth.bits());
      result.put("prefillChunk", m.prefillChunk());
      result.put("load", m.file().loadMode().name().toLowerCase(java.util.Locale.ROOT));
      result.put("loadSeconds", loadSeconds);
      // Decode speed depends on it: say when the kernels run without software prefetch, and why.
      result.put("prefetch", Prefetch.ENABLED ? "on" : "off: " + Prefetch.offBecause());
      if (promptTokens > 0) {
        result.put("pp" + promptTokens, stats(pp));
      }
      if (genTokens > 0) {
        result.put("tg" + genTokens, stats(tg));
      }
      if (json) {
        out.println(new GsonBuilder().setPrettyPrinting().create().toJson(result));
      } else {
        out.printf(
            "model %s (%,d bytes), %d threads, %d-bit vectors, prefill chunk %d, load %s"
                + " (%.2f s), prefetch %s%n",
            model.path().getFileName(),
            size,
            m.threads(),
            VectorWidth.bits(),
            m.prefillChunk(),
            m.file().loadMode().name().toLowerCase(java.util.Locale.ROOT),
            loadSeconds,
            result.get("prefetch"));
        if (promptTokens > 0) {
          out.printf("pp%-5d %8.2f ± %.2f tokens/s%n", promptTokens, mean(pp), stddev(pp));
        }
        if (genTokens > 0) {
          out.printf("tg%-5d %8.2f ± %.2f tokens/s%n", genTokens, mean(tg), stddev(tg));
        }
      }
      out.flush();
    }
    return 0;
  }

  private static Map<String, Double> stats(double[] values) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("mean", mean(values));
    m.put("stddev", stddev(values));
    return m;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double stddev(double[] v) {
    if (v.length < 2) {
      return 0;
    }
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }
}
