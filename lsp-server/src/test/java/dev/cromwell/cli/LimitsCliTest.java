package dev.cromwell.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, finding 8 and 9: absurd numbers are refused in one line naming the option, long prompts
 * come from a file or standard input, and a bad line range is reported as one. Real model.
 */
@Timeout(120)
class LimitsCliTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  static void refusedInOneLine(Run r, String mentions) {
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(mentions), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void absurdNumbersAreRefused() {
    String model = RealModels.smollm2().toString();
    refusedInOneLine(run("generate", "-m", model, "-p", "x", "-t", "100000"), "threads");
    refusedInOneLine(run("generate", "-m", model, "-p", "x", "--temp", "NaN"), "temperature");
    refusedInOneLine(run("generate", "-m", model, "-p", "x", "-c", "-1"), "context");
    refusedInOneLine(run("generate", "-m", model, "-p", "x", "-c", "100000"), "context");
  }

  @Test
  void thePromptComesFromAFileOrStandardInput() throws Exception {
    String model = RealModels.smollm2().toString();
    // Longer than Linux lets one argument be (128 KiB).
    String longPrompt = "// a comment line\n".repeat(9000) + "int main() {";
    Path file = dir.resolve("prompt.txt");
    Files.writeString(file, "def add(a, b):");
    Run fromFile = run("generate", "-m", model, "--file", file.toString(), "-n", "4");
    assertEquals(0, fromFile.code(), fromFile.err());
    InputStream stdin = System.in;
    try {
      System.setIn(new ByteArrayInputStream(longPrompt.getBytes(StandardCharsets.UTF_8)));
      Run fromStdin = run("generate", "-m", model, "--file", "-", "-n", "1", "-c", "8192");
      assertTrue(
          fromStdin.code() == 0 || fromStdin.err().contains("context holds"), fromStdin.err());
    } finally {
      System.setIn(stdin);
    }
    refusedInOneLine(run("generate", "-m", model), "--prompt");
  }

  @Test
  void aBadLineRangeIsReportedAsABadRange() throws Exception {
    Path file = dir.resolve("a.py");
    Files.writeString(file, "x = 1\ny = 2\n");
    Run r =
        run(
            "edit",
            "-m",
            RealModels.smollm2().toString(),
            "--root",
            dir.toString(),
            file + ":5-9",
            "add a docstring");
    refusedInOneLine(r, "bad range");
    assertFalse(r.err().contains("model's answer"), r.err());
  }
}
