package dev.cromwell.benchmarks;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.model.RandomModelWriter;
import dev.cromwell.kernels.formats.GgmlType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes random-weight GGUF models with the exact shapes of real ones, for benchmarks: the speed of
 * a forward pass depends on shapes and types, not on the values of the weights.
 */
@Command(
    name = "bench-models",
    mixinStandardHelpOptions = true,
    description = "Write random-weight GGUF models with real models' shapes (for benchmarks).")
public final class BenchModels implements Callable<Integer> {
  /** A real model's shape and the test vocabulary that matches it. */
  public enum Shape {
    QWEN25_CODER_05B(
        "qwen2.5-coder-0.5b",
        "qwen2",
        896,
        24,
        14,
        2,
        4864,
        true,
        true,
        1_000_000.0,
        1e-6f,
        32768,
        "ggml-vocab-qwen2.gguf"),
    QWEN25_CODER_15B(
        "qwen2.5-coder-1.5b",
        "qwen2",
        1536,
        28,
        12,
        2,
        8960,
        true,
        true,
        1_000_000.0,
        1e-6f,
        32768,
        "ggml-vocab-qwen2.gguf"),
    CROMWELL_12B(
        "cromwell-1.2b",
        "llama",
        2048,
        24,
        32,
        4,
        5632,
        false,
        false,
        10_000.0,
        1e-6f,
        4096,
        "ggml-vocab-gpt-2.gguf"),
    TINY(
        "tiny",
        "qwen2",
        64,
        2,
        4,
        2,
        96,
        true,
        true,
        1_000_000.0,
        1e-6f,
        4096,
        "ggml-vocab-qwen2.gguf");

    final String label;
    final String architecture;
    final int dim;
    final int layers;
    final int heads;
    final int kvHeads;
    final int ffn;
    final boolean tied;
    final boolean bias;
    final double ropeBase;
    final float eps;
    final int context;
    final String vocabulary;

    Shape(
        String label,
        String architecture,
        int dim,
        int layers,
        int heads,
        int kvHeads,
        int ffn,
        boolean tied,
        boolean bias,
        double ropeBase,
        float eps,
        int context,
        String vocabulary) {
      this.label = label;
      this.architecture = architecture;
      this.dim = dim;
      this.layers = layers;
      this.heads = heads;
      this.kvHeads = kvHeads;
      this.ffn = ffn;
      this.tied = tied;
      this.bias = bias;
      this.ropeBase = ropeBase;
      this.eps = eps;
      this.context = context;
      this.vocabulary = vocabulary;
    }

    public RandomModelWriter.Spec spec(GgmlType type) {
      return new RandomModelWriter.Spec(
          architecture,
          dim,
          layers,
          heads,
          kvHeads,
          ffn,
          tied,
          bias,
          type,
          ropeBase,
          eps,
          context,
          0.02f,
          42);
    }
  }

  @Option(names = "--shape", required = true, description = "one of: ${COMPLETION-CANDIDATES}")
  Shape shape;

  @Option(
      names = "--type",
      split = ",",
      defaultValue = "Q8_0",
      description =
          "matrix types, comma-separated, among the tensor types of README.md's table"
              + " (rows that do not fill a block fall back as in llama.cpp: Q4_K to Q5_0, Q5_K to Q5_1, others to Q8_0; default: ${DEFAULT-VALUE})")
  List<GgmlType> types;

  @Option(
      names = "--vocab-dir",
      description = "folder with the test vocabularies (default: ../shared/testdata/tokenizers)")
  Path vocabularies = Path.of("..", "shared", "testdata", "tokenizers");

  @Option(
      names = {"-o", "--out"},
      defaultValue = "bench-models",
      description = "output folder (default: ${DEFAULT-VALUE})")
  Path out;

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(out);
    Path vocabularyFile = vocabularies.resolve(shape.vocabulary);
    try (GgufFile vocabulary = GgufFile.open(vocabularyFile)) {
      for (GgmlType type : types) {
        Path file =
            out.resolve(
                shape.label + "-" + type.name().toLowerCase(java.util.Locale.ROOT) + ".gguf");
        long start = System.nanoTime();
        var tokenizer = RandomModelWriter.tokenizerMetadata(vocabulary);
        if (shape.vocabulary.equals("ggml-vocab-qwen2.gguf")) {
          tokenizer = RandomModelWriter.withQwenCoderFimTokens(tokenizer); // as Qwen2.5-Coder
        }
        RandomModelWriter.write(shape.spec(type), tokenizer, file);
        System.out.printf(
            "wrote %s (%,d bytes) in %.1f s%n",
            file, Files.size(file), (System.nanoTime() - start) / 1e9);
      }
    }
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchModels()).execute(args));
  }
}
