package dev.cromwell.cli;

import static dev.cromwell.cli.LimitsCliTest.refusedInOneLine;
import static dev.cromwell.cli.LimitsCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.model.TinyModels;
import dev.cromwell.kernels.formats.GgmlType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --draft} where users meet it: {@code generate} and {@code edit} with the real SmolLM2
 * drafting for itself give the same output as without a draft model; a draft model of another
 * vocabulary, or one with sampling, is refused in one line; both helps say what it does.
 */
@Timeout(400)
class DraftCliTest {
  @TempDir Path dir;

  static final String PROMPT =
      "<|im_start|>user\nWrite a Python function that adds two numbers.<|im_end|>\n"
          + "<|im_start|>assistant\n";

  @Test
  void generateWithADraftModelPrintsTheSameTextAndItsDrafts() {
    String model = RealModels.smollm2().toString();
    String[] common = {"generate", "-m", model, "--special", "-n", "32", "-t", "2", "-p", PROMPT};
    LimitsCliTest.Run plain = run(append(common, "--speculate", "off"));
    LimitsCliTest.Run drafted =
        run(append(common, "--speculate", "off", "--draft", model, "--draft-tokens", "3"));
    assertEquals(0, drafted.code(), drafted.err());
    assertEquals(plain.out(), drafted.out(), "the draft model changed the greedy output");
    assertTrue(drafted.err().contains("drafts: "), drafted.err());
  }

  @Test
  void editWithADraftModelGivesTheSameDiff() throws IOException {
    String model = RealModels.smollm2().toString();
    Path file = Files.writeString(dir.resolve("geo.py"), "def area(r):\n    return 3.14 * r * r\n");
    String[] common = {
      "edit", "-m", model, "--root", dir.toString(), "-t", "2", file + ":1-2", "add a docstring"
    };
    LimitsCliTest.Run plain = run(common);
    LimitsCliTest.Run drafted = run(append(common, "--draft", model));
    assertEquals(plain.code(), drafted.code(), plain.err() + drafted.err());
    assertEquals(plain.out(), drafted.out());
    assertEquals(plain.err(), drafted.err());
  }

  @Test
  void aDraftModelOfAnotherVocabularyIsRefusedInOneLine() {
    Path qwen = TinyModels.qwen2(dir, GgmlType.Q8_0);
    LimitsCliTest.Run r =
        run(
            "generate",
            "-m",
            RealModels.smollm2().toString(),
            "--draft",
            qwen.toString(),
            "-p",
            "x");
    refusedInOneLine(r, "cannot draft for");
    refusedInOneLine(r, "token for token");
  }

  @Test
  void aDraftModelWithSamplingOrAnAbsurdDraftLengthIsRefused() {
    String model = RealModels.smollm2().toString();
    refusedInOneLine(
        run("generate", "-m", model, "--draft", model, "--temp", "0.7", "-p", "x"),
        "greedy decoding only");
    refusedInOneLine(
        run("generate", "-m", model, "--draft", model, "--draft-tokens", "0", "-p", "x"),
        "--draft-tokens must be");
    // generate prefills in chunks of 256, but a verify pass holds at most 64 rows.
    LimitsCliTest.Run tooLong =
        run("generate", "-m", model, "--draft", model, "--draft-tokens", "64", "-p", "x");
    refusedInOneLine(tooLong, "--draft-tokens must be 1..63, got 64");
  }

  @Test
  void helpSaysWhatADraftModelDoes() {
    for (String command : new String[] {"generate", "edit"}) {
      String help = run(command, "--help").out().replaceAll("\\s+", " ");
      assertTrue(help.contains("--draft=MODEL speculative decoding with a draft model"), help);
      assertTrue(help.contains("greedy output is identical"), help);
    }
  }

  private static String[] append(String[] a, String... more) {
    String[] all = java.util.Arrays.copyOf(a, a.length + more.length);
    System.arraycopy(more, 0, all, a.length, more.length);
    return all;
  }
}
