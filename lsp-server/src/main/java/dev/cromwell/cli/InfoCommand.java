package dev.cromwell.cli;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.GgufTensor;
import dev.cromwell.engine.gguf.MetadataValue;
import dev.cromwell.engine.model.ModelConfig;
import dev.cromwell.engine.store.ModelStore;
import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.engine.tokenizer.TokenizerLoader;
import dev.cromwell.engine.tokenizer.Vocabulary;
import dev.cromwell.kernels.formats.GgmlType;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = {
      "Describe a GGUF model: shape, quantization, tokenizer, tensors.",
      "Shows the architecture, sizes, quantization types, tokenizer, special tokens and the",
      "tensor table. Works on vocabulary-only files too."
    })
final class InfoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "MODEL", description = "the GGUF file, or a catalogue name")
  String model;

  @Option(names = "--metadata", description = "also list every metadata key and value")
  boolean metadata;

  @Option(names = "--no-tensors", description = "leave out the tensor table")
  boolean noTensors;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (GgufFile file = GgufFile.open(ModelStore.fromEnvironment().resolve(model))) {
      out.printf("file          %s%n", file.path());
      out.printf(
          "size          %s (%,d bytes), GGUF v%d%n",
          human(file.size()), file.size(), file.version());
      out.printf("name          %s%n", file.string("general.name").orElse("(none)"));
      String arch = file.string("general.architecture").orElse("(none)");
      out.printf("architecture  %s%n", arch);
      if (file.tensors().isEmpty()) {
        out.println("weights       none: vocabulary-only file (tokenize works, generate does not)");
      } else if (ModelConfig.SUPPORTED.contains(arch)) {
        ModelConfig c = ModelConfig.from(file);
        out.printf(
            "shape         %d layers, hidden %d, FFN %d, %d query heads / %d KV heads (head dim %d)%n",
            c.blockCount(),
            c.embeddingLength(),
            c.feedForwardLength(),
            c.headCount(),
            c.headCountKv(),
            c.headDim());
        out.printf(
            "              vocab %d, context %d, RoPE %s base %.0f, RMS eps %.0e, %s output, %s%n",
            c.vocabularySize(),
            c.contextLength(),
            c.ropeNeox() ? "NeoX" : "normal",
            c.ropeBase(),
            c.rmsEpsilon(),
            c.tiedEmbeddings() ? "tied" : "separate",
            c.qkvBias() ? "Q/K/V bias" : "no Q/K/V bias");
      } else {
        out.printf("              (architecture %s cannot be run by Cromwell)%n", arch);
      }
      Map<GgmlType, long[]> types = new TreeMap<>();
      long parameters = 0;
      for (GgufTensor t : file.tensors().values()) {
        long[] agg = types.computeIfAbsent(t.type(), k -> new long[2]);
        agg[0]++;
        agg[1] += t.data().byteSize();
        parameters += t.elements();
      }
      if (!types.isEmpty()) {
        StringBuilder sb = new StringBuilder();
        types.forEach((k, v) -> sb.append(String.format("%s×%d (%s)  ", k, v[0], human(v[1]))));
        out.printf("parameters    %,d%n", parameters);
        out.printf("types         %s%n", sb.toString().trim());
      }
      printTokenizer(file, out);
      if (!noTensors && !file.tensors().isEmpty()) {
        out.println();
        out.printf("%-36s %-6s %-22s %12s%n", "tensor", "type", "shape", "bytes");
        for (GgufTensor t : file.tensors().values()) {
          out.printf(
              "%-36s %-6s %-22s %,12d%n", t.name(), t.type(), t.shape(), t.data().byteSize());
        }
      }
      if (metadata) {
        out.println();
        for (Map.Entry<String, MetadataValue> e : file.metadata().entrySet()) {
          out.printf("%-44s %s%n", e.getKey(), describe(e.getValue()));
        }
      }
    }
    return 0;
  }

  private static void printTokenizer(GgufFile file, PrintWriter out) {
    if (file.get("tokenizer.ggml.tokens").isEmpty()) {
      out.println("tokenizer     none");
      return;
    }
    Tokenizer tokenizer = TokenizerLoader.load(file);
    Vocabulary v = tokenizer.vocabulary();
    out.printf("tokenizer     %s%n", tokenizer.description());
    out.printf(
        "special       BOS %s%s, EOS %s%n",
        token(v, v.bosId()), v.addBos() ? " (added)" : "", token(v, v.eosId()));
    StringBuilder ends = new StringBuilder();
    for (int id : v.eosIds()) {
      ends.append(token(v, id)).append(' ');
    }
    out.printf("stops at      %s%n", ends.toString().trim());
  }

  private static String token(Vocabulary v, int id) {
    return id < 0 ? "(none)" : id + " " + v.text(id);
  }

  private static String describe(MetadataValue value) {
    return switch (value) {
      case MetadataValue.Array(var type, var items) ->
          "[" + items.size() + " × " + type + "]" + (items.isEmpty() ? "" : " " + preview(items));
      case MetadataValue.Str(String s) ->
          s.length() > 80 ? "\"" + s.substring(0, 80) + "…\"" : "\"" + s + "\"";
      case MetadataValue.Int(var type, long n) -> n + " (" + type + ")";
      case MetadataValue.Float32(float f) -> Float.toString(f);
      case MetadataValue.Float64(double d) -> Double.toString(d);
      case MetadataValue.Bool(boolean b) -> Boolean.toString(b);
    };
  }

  private static String preview(java.util.List<MetadataValue> items) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(3, items.size()); i++) {
      sb.append(describe(items.get(i))).append(", ");
    }
    return sb.append("…").toString();
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format("%.1f %s", v, units[u]);
  }
}
