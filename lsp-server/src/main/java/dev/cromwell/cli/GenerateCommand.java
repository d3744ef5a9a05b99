package dev.cromwell.cli;

import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.kernels.VectorWidth;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Generate text from a prompt, streamed as it is produced.",
      "Text goes to standard output as it is produced.",
      "One line of statistics (prompt and generation speed, time to first token) goes to",
      "standard error. Greedy by default; --temp > 0 samples. Greedy decoding can speculate",
      "(--speculate, --draft): the same text in fewer passes of the model."
    })
final class GenerateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelOptions model;

  @CommandLine.Mixin DraftOptions draft;

  @Option(
      names = {"-p", "--prompt"},
      description = "the prompt text (or --file)")
  String prompt;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "read the prompt from FILE, or from standard input with -")
  String promptFile;

  @Option(
      names = {"-n", "--max-tokens"},
      defaultValue = "128",
      description = "most tokens to generate (default: ${DEFAULT-VALUE})")
  int maxTokens;

  @Option(
      names = "--temp",
      defaultValue = "0",
      description = "temperature; 0 = greedy (default: ${DEFAULT-VALUE})")
  float temperature;

  @Option(
      names = "--top-k",
      defaultValue = "40",
      description = "sample among the k most likely tokens, 0 = all (default: ${DEFAULT-VALUE})")
  int topK;

  @Option(
      names = "--top-p",
      defaultValue = "0.95",
      description = "nucleus sampling threshold (default: ${DEFAULT-VALUE})")
  float topP;

  @Option(
      names = "--min-p",
      defaultValue = "0.05",
      description = "drop tokens below min-p × the top probability (default: ${DEFAULT-VALUE})")
  float minP;

  @Option(
      names = "--repeat-penalty",
      defaultValue = "1.0",
      description = "penalty for recent tokens, 1 = off (default: ${DEFAULT-VALUE})")
  float repeatPenalty;

  @Option(
      names = "--repeat-window",
      defaultValue = "64",
      description = "tokens the repeat penalty looks back (default: ${DEFAULT-VALUE})")
  int repeatWindow;

  @Option(
      names = "--seed",
      defaultValue = "-1",
      description = "random seed; -1 picks one (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = {"-c", "--context"},
      defaultValue = "0",
      description = "context length; 0 = the model's, at most 32768")
  int context;

  @Option(
      names = "--stop",
      paramLabel = "TEXT",
      description = "stop when TEXT is generated (repeatable)")
  List<String> stops = new ArrayList<>();

  @Option(names = "--special", description = "parse special tokens written in the prompt")
  boolean special;

  @Option(
      names = "--no-bos",
      description = "do not add the BOS token even if the model asks for it")
  boolean noBos;

  /** When to draft tokens by prompt lookup (greedy only; the output is the same either way). */
  enum Speculate {
    auto,
    on,
    off
  }

  @Option(
      names = "--speculate",
      description =
          "prompt-lookup speculation for greedy decoding: auto (on for greedy requests of 64+ tokens on models 768+ wide, where it was measured to pay),"
              + " on or off; same output, different speed (default: auto)")
  Speculate speculate = Speculate.auto;

  @Override
  public Integer call() {
    if (maxTokens < 0) {
      throw new IllegalArgumentException("-n must not be negative");
    }
    String prompt = PromptSource.read(this.prompt, promptFile);
    long actualSeed = seed == -1 ? System.nanoTime() : seed;
    SamplerSettings sampler =
        new SamplerSettings(temperature, topK, topP, minP, repeatPenalty, repeatWindow, actualSeed);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (draft.draft != null && temperature > 0) {
      throw new IllegalArgumentException(
          "--draft speculates for greedy decoding only; drop --temp or --draft");
    }
    try (Model m = Model.load(model.path(), model.options(context, Model.BATCH_PREFILL_CHUNK));
        DraftOptions.Loaded d = draft.load(m, model.options(0, Model.BATCH_PREFILL_CHUNK))) {
      Tokenizer tokenizer = m.tokenizer();
      int[] encoded = tokenizer.encode(prompt, special);
      int[] tokens = encoded;
      if (m.tokenizer().vocabulary().addBos() && !noBos) {
        tokens = new int[encoded.length + 1];
        tokens[0] = tokenizer.vocabulary().bosId();
        System.arraycopy(encoded, 0, tokens, 1, encoded.length);
      }
      if (tokens.length == 0) {
        throw new IllegalArgumentException("the prompt is empty");
      }
      GenerationRequest request =
          new GenerationRequest(tokens, maxTokens, sampler, Set.of(), stops, 0);
      Speculation lookup =
          switch (speculate) {
            case auto -> Speculation.auto(request, m.config());
            case on -> Speculation.PROMPT_LOOKUP;
            case off -> Speculation.OFF;
          };
      GenerationResult result =
          Generator.generate(
              m.newSession(),
              request,
              piece -> {
                out.print(piece);
                out.flush();
              },
              () -> false,
              lookup.withDraftModel(d.draft()));
      out.println();
      out.flush();
      err.printf(
          "%s | stop: %s | %d threads, %d-bit vectors%n",
          result.stats().summary(), result.stopReason().label(), m.threads(), VectorWidth.bits());
    }
    return 0;
  }
}
