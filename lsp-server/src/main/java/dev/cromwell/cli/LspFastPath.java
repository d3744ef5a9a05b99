package dev.cromwell.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code cromwell lsp} without the rest of the command line. An editor starts the server this way
 * and waits for the answer to {@code initialize}; picocli's model of all subcommands (reflection
 * over every command class, its options and mixins, which loads the engine classes they name) took
 * about a third of the time to that answer. Here the root "cromwell" has {@link LspCommand} as its
 * only subcommand, so help, version and every refusal read as they do under the whole command line
 * ({@code LspFastPathTest} compares them).
 */
final class LspFastPath {
  private LspFastPath() {}

  /** Whether {@code args} run the language server (the first argument is the subcommand). */
  static boolean applies(String[] args) {
    return args.length > 0 && args[0].equals("lsp");
  }

  /**
   * Plain {@code cromwell lsp}, as editors start it, needs no parsing at all: picocli's own classes
   * (class-file version 49, which the AOT cache cannot hold, so each is read from the jar and
   * verified) were the largest cost left before initialize. With no options, {@link LspCommand}'s
   * fields keep their initial values, as picocli leaves them; a failure gets the same line.
   */
  static boolean isBare(String[] args) {
    return args.length == 1 && args[0].equals("lsp");
  }

  static int runBare(PrintWriter err) {
    try {
      return new LspCommand().call();
    } catch (Exception e) {
      return ErrorReporter.report(e, "lsp", err);
    }
  }

  /** "cromwell" with {@code lsp} as its one subcommand. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(CommandSpec.create().name("cromwell"));
    cli.addSubcommand("lsp", new LspCommand());
    return cli;
  }
}
