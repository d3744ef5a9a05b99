package dev.cromwell.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cromwell} command line: one entry point, a subcommand per job. */
@Command(
    name = "cromwell",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Cromwell: a local, private coding assistant that runs GGUF models on your CPU.",
    subcommands = {
      InfoCommand.class,
      TokenizeCommand.class,
      GenerateCommand.class,
      LogitsCommand.class,
      ContextCommand.class,
      BenchCommand.class,
      LspCommand.class,
      EditCommand.class,
      PullCommand.class,
      ModelsCommand.class,
      CompleteCommand.class,
      ServeCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  cromwell info qwen2.5-coder-0.5b-q8_0.gguf",
      "  cromwell generate --model qwen2.5-coder-0.5b-q8_0.gguf --prompt 'def fib(n):' -n 64",
      "  echo 'int main()' | cromwell tokenize --model qwen2.5-coder-0.5b-q8_0.gguf --ids"
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns the exit code (for tests too). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    if (LspFastPath.isBare(args)) {
      return LspFastPath.runBare(err);
    }
    return run(
        LspFastPath.applies(args) ? LspFastPath.commandLine() : commandLine(), args, out, err);
  }

  /** The whole command line, every subcommand. */
  static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  static int run(CommandLine cli, String[] args, PrintWriter out, PrintWriter err) {
    HelpText.reflow(cli);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new ErrorReporter());
    return cli.execute(args);
  }

  /** Version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"cromwell " + (v == null ? "development build" : v)};
    }
  }
}
