package dev.cromwell.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.model.TinyModels;
import dev.cromwell.kernels.formats.GgmlType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine raises a typed error; the CLI, its front door, names its own flag in the advice. */
class TypedErrorWordingTest {
  @TempDir Path dir;

  @Test
  void aPromptBeyondTheContextTellsTheCliUserToRaiseContext() {
    Path model = TinyModels.qwen2(dir, GgmlType.Q8_0);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            new String[] {
              "generate", "-m", model.toString(), "-c", "4", "-p", "one two three four five six"
            },
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    assertEquals(ErrorReporter.BAD_INPUT, code, err.toString());
    String line = err.toString().strip();
    assertTrue(
        line.matches(
            "cromwell generate: the prompt has \\d+ tokens but the context holds 4; shorten it or"
                + " raise --context"),
        line);
  }

  @Test
  void aFolderGivenAsTheModelIsNamedWithoutAnExceptionClass() {
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            new String[] {"generate", "-m", dir.toString(), "-p", "hi"},
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true));
    assertEquals(ErrorReporter.BAD_INPUT, code, err.toString());
    assertEquals(
        "cromwell generate: " + dir + " is a directory; pass the path of a .gguf file",
        err.toString().strip());
  }
}
