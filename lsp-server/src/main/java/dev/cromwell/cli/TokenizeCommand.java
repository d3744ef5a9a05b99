package dev.cromwell.cli;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.store.ModelStore;
import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.engine.tokenizer.TokenizerLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "tokenize",
    mixinStandardHelpOptions = true,
    description = {
      "Split text into the model's tokens.",
      "Needs only the tokenizer, so vocabulary-only GGUF",
      "files work. Text comes from TEXT, from --file (exact UTF-8 bytes), or from standard input.",
      "Default output: one token per line, id and piece."
    })
final class TokenizeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "MODEL",
      description =
          "GGUF file with a tokenizer, or a catalogue name (default: the default model, if installed)")
  String model;

  @Option(names = "--ids", description = "print only the ids, on one line separated by spaces")
  boolean ids;

  @Option(names = "--pieces", description = "print only the pieces, one per line")
  boolean pieces;

  @Option(
      names = "--special",
      description = "parse special tokens written in the text (off by default)")
  boolean special;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "read the text from FILE")
  Path file;

  @Parameters(
      arity = "0..1",
      paramLabel = "TEXT",
      description = "the text (default: standard input)")
  String text;

  @Override
  public Integer call() throws IOException {
    if (file != null && text != null) {
      throw new IllegalArgumentException("give either TEXT or --file, not both");
    }
    String input =
        file != null
            ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
            : text != null ? text : new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    PrintWriter out = spec.commandLine().getOut();
    try (GgufFile gguf = GgufFile.open(ModelStore.fromEnvironment().resolveOrDefault(model))) {
      Tokenizer tokenizer = TokenizerLoader.load(gguf);
      int[] tokens = tokenizer.encode(input, special);
      if (ids) {
        StringJoiner line = new StringJoiner(" ");
        for (int id : tokens) {
          line.add(Integer.toString(id));
        }
        out.println(line);
      } else {
        for (int id : tokens) {
          String piece = new String(tokenizer.tokenBytes(id, true), StandardCharsets.UTF_8);
          out.println(pieces ? piece : String.format("%8d  %s", id, quote(piece)));
        }
      }
      out.flush();
    }
    return 0;
  }

  private static String quote(String piece) {
    return "'"
        + piece.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
        + "'";
  }
}
