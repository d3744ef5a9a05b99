package dev.cromwell.cli;

import com.google.gson.stream.JsonWriter;
import dev.cromwell.engine.generate.Sampler;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "logits",
    mixinStandardHelpOptions = true,
    description = {
      "Print the engine's logits for token sequences (for parity checks).",
      "Each --tokens sequence runs in a fresh session. By default the logits after the last",
      "token are printed; --all-positions prints them after every token. --greedy N also",
      "continues each sequence greedily (argmax, never stopping at end tokens) for N tokens."
    })
final class LogitsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelOptions model;

  @Option(
      names = "--tokens",
      required = true,
      split = ",",
      paramLabel = "ID,ID,...",
      description = "token ids of one sequence (repeat for more sequences)")
  List<String> flatTokens; // picocli flattens every --tokens; sequences() regroups them

  @Option(names = "--all-positions", description = "print logits after every token")
  boolean allPositions;

  @Option(
      names = "--greedy",
      defaultValue = "0",
      description = "greedy continuation length (default: ${DEFAULT-VALUE})")
  int greedy;

  @Option(names = "--json", description = "print JSON (the only format for now)")
  boolean json;

  // What the model is loaded for matters to the logits: Phi-3 128k models choose their RoPE
  // factors by it, as llama.cpp does by its n_ctx.
  @Option(
      names = {"-c", "--context"},
      defaultValue = "0",
      description = "context length; 0 = the model's, at most 32768")
  int context;

  @Override
  public Integer call() throws IOException {
    List<int[]> sequences = sequences();
    PrintWriter out = spec.commandLine().getOut();
    try (Model m = Model.load(model.path(), model.options(context, Model.BATCH_PREFILL_CHUNK));
        JsonWriter writer = new JsonWriter(out)) {
      writer.beginObject();
      writer.name("vocabulary").value(m.config().vocabularySize());
      writer.name("runs").beginArray();
      for (int[] tokens : sequences) {
        Session session = m.newSession();
        writer.beginObject();
        writer.name("tokens");
        ints(writer, tokens);
        writer.name("logits").beginArray();
        float[] logits;
        if (allPositions) {
          logits = null;
          for (int i = 0; i < tokens.length; i++) {
            logits =
                i == 0
                    ? session.prefill(new int[] {tokens[0]}, () -> false)
                    : session.next(tokens[i]);
            floats(writer, logits);
          }
        } else {
          // The whole sequence as one prompt: exercises batched prefill.
          logits = session.prefill(tokens, () -> false);
          floats(writer, logits);
        }
        writer.endArray();
        int[] continuation = new int[greedy];
        for (int g = 0; g < greedy; g++) {
          continuation[g] = Sampler.argmax(logits);
          logits = session.next(continuation[g]);
        }
        writer.name("greedy");
        ints(writer, continuation);
        writer.endObject();
      }
      writer.endArray();
      writer.endObject();
      writer.flush();
    }
    out.println();
    out.flush();
    return 0;
  }

  private List<int[]> sequences() {
    // picocli splits every occurrence on commas into one flat list; recover the groups from the
    // original arguments.
    List<int[]> result = new ArrayList<>();
    for (CommandLine.Model.ArgSpec arg : spec.commandLine().getParseResult().matchedArgs()) {
      if (arg instanceof CommandLine.Model.OptionSpec o && o.longestName().equals("--tokens")) {
        for (String raw : o.originalStringValues()) {
          result.add(parse(raw));
        }
      }
    }
    return result;
  }

  private static int[] parse(String raw) {
    try {
      int[] ids =
          Arrays.stream(raw.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
      if (ids.length == 0) {
        throw new IllegalArgumentException("--tokens needs at least one id");
      }
      return ids;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--tokens takes comma-separated integers, got \"" + raw + "\"", e);
    }
  }

  private static void ints(JsonWriter writer, int[] values) throws IOException {
    writer.beginArray();
    for (int v : values) {
      writer.value(v);
    }
    writer.endArray();
  }

  private static void floats(JsonWriter writer, float[] values) throws IOException {
    writer.beginArray();
    for (float v : values) {
      writer.value(v);
    }
    writer.endArray();
  }
}
