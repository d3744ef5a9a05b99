package dev.cromwell.cli;

import dev.cromwell.engine.gguf.GgufFormatException;
import dev.cromwell.engine.model.ContextFullException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Turns any failure of a command into one clear line on stderr and a non-zero exit code. Users
 * never see a stack trace; {@code CROMWELL_DEBUG=1} shows it for bug reports.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
  /** Exit code for bad input (a file that cannot be used, an invalid argument). */
  static final int BAD_INPUT = 2;

  /** Exit code for an internal error. */
  static final int INTERNAL = 70;

  @Override
  public int handleExecutionException(
      Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
    return report(e, cli.getCommandName(), cli.getErr());
  }

  /** Writes the line for {@code e}, a failure of {@code command}, and returns the exit code. */
  static int report(Exception e, String command, PrintWriter err) {
    int code = BAD_INPUT;
    String message;
    if (e instanceof GgufFormatException g) {
      message =
          g.getMessage() + " (the file is not a usable GGUF model; re-download or re-export it)";
    } else if (e instanceof ContextFullException full) {
      message = full.getMessage() + " or raise --context";
    } else if (e instanceof UncheckedIOException io
        && io.getCause() instanceof NoSuchFileException nf) {
      message = nf.getFile() + ": file not found";
    } else if (e instanceof UncheckedIOException io
        && io.getCause() != null
        && io.getCause().getMessage() != null
        && io.getMessage().equals(io.getCause().toString())) {
      // A bare wrapper: its message is the cause's class name and message; say the message only.
      message = io.getCause().getMessage();
    } else if (e instanceof UncheckedIOException
        || e instanceof java.io.IOException
        || e instanceof IllegalArgumentException
        || e instanceof UnsupportedOperationException
        || e instanceof IllegalStateException) {
      message = e.getMessage();
    } else {
      code = INTERNAL;
      message = "internal error: " + e + " (run with CROMWELL_DEBUG=1 for details and report it)";
    }
    err.println("cromwell " + command + ": " + message);
    if (System.getenv("CROMWELL_DEBUG") != null) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }
}
