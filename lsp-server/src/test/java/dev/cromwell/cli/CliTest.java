package dev.cromwell.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.TestData;
import dev.cromwell.engine.model.TinyModels;
import dev.cromwell.kernels.formats.GgmlType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  @TempDir static Path dir;
  static Path qwen;
  static Path vocab;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void models() {
    qwen = TinyModels.qwen2(dir, GgmlType.Q8_0);
    vocab = TestData.tokenizers().resolve("ggml-vocab-llama-bpe.gguf");
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void infoDescribesAModel() {
    Run r = run("info", qwen.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("architecture  qwen2"), r.out());
    assertTrue(
        r.out().contains("2 layers, hidden 64, FFN 96, 4 query heads / 2 KV heads"), r.out());
    assertTrue(r.out().contains("Q8_0×"), r.out());
    assertTrue(r.out().contains("blk.1.ffn_down.weight"), r.out());
    assertTrue(r.out().contains("pre-tokenizer qwen2"), r.out());
  }

  @Test
  void tokenizeWorksOnAVocabularyOnlyFileAndMatchesLlamaCpp() throws IOException {
    Path text = dir.resolve("hello.txt");
    Files.writeString(text, " Hello, world!", StandardCharsets.UTF_8);
    Run r = run("tokenize", "--model", vocab.toString(), "--ids", "--file", text.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("22691 11 1917 0", r.out().trim()); // from ggml-vocab-llama-bpe.gguf.out
    Run pieces = run("tokenize", "-m", vocab.toString(), "--pieces", "Hello world");
    assertEquals("Hello\n world", pieces.out().strip().replace("\r", ""));
  }

  @Test
  void specialTokensAreParsedOnlyWithTheFlag() {
    Run plain = run("tokenize", "-m", vocab.toString(), "--ids", "<|begin_of_text|>");
    Run special =
        run("tokenize", "-m", vocab.toString(), "--ids", "--special", "<|begin_of_text|>");
    assertEquals("128000", special.out().trim());
    assertFalse(plain.out().trim().equals("128000"), plain.out());
  }

  @Test
  void generateStreamsDeterministicTextAndPrintsStats() {
    Run a =
        run(
            "generate",
            "--model",
            qwen.toString(),
            "--prompt",
            "def add(a, b):",
            "-n",
            "8",
            "-t",
            "2");
    Run b =
        run(
            "generate",
            "--model",
            qwen.toString(),
            "--prompt",
            "def add(a, b):",
            "-n",
            "8",
            "-t",
            "1");
    assertEquals(0, a.code(), a.err());
    assertEquals(a.out(), b.out(), "greedy output must not depend on the thread count");
    assertTrue(a.err().contains("tok/s"), a.err());
    assertTrue(
        a.err().contains("generated: 8 tokens") || a.err().contains("stop: end_of_text"), a.err());
  }

  @Test
  void badInputGivesOneClearLineAndExitCode2() throws IOException {
    Run missing = run("info", dir.resolve("missing.gguf").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("missing.gguf: file not found"), missing.err());
    assertEquals(1, missing.err().strip().lines().count(), missing.err());

    Path corrupt = dir.resolve("corrupt.gguf");
    byte[] head = Files.readAllBytes(qwen);
    Files.write(corrupt, java.util.Arrays.copyOf(head, 4000));
    Run truncated = run("generate", "-m", corrupt.toString(), "-p", "x");
    assertEquals(2, truncated.code());
    assertTrue(truncated.err().contains("corrupt.gguf"), truncated.err());
    assertFalse(truncated.err().contains("\tat "), "no stack trace: " + truncated.err());

    Run vocabOnly = run("generate", "-m", vocab.toString(), "-p", "x");
    assertEquals(2, vocabOnly.code());
    assertTrue(vocabOnly.err().contains("vocabulary-only"), vocabOnly.err());

    Run badOption = run("generate", "-m", qwen.toString(), "-p", "x", "--top-p", "2");
    assertEquals(2, badOption.code());
    assertTrue(badOption.err().contains("top-p"), badOption.err());
  }

  @Test
  void benchReportsPromptAndGenerationSpeedAsJson() throws IOException {
    Run r =
        run(
            "bench",
            "-m",
            qwen.toString(),
            "-p",
            "8",
            "-n",
            "4",
            "-r",
            "2",
            "-t",
            "1",
            "--warmup",
            "1",
            "--json");
    assertEquals(0, r.code(), r.err());
    com.google.gson.JsonObject result =
        com.google.gson.JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(1, result.get("threads").getAsInt());
    assertTrue(result.getAsJsonObject("pp8").get("mean").getAsDouble() > 0, r.out());
    assertTrue(result.getAsJsonObject("tg4").get("mean").getAsDouble() > 0, r.out());
    assertEquals(Files.size(qwen), result.get("modelBytes").getAsLong());
    assertTrue(result.get("prefetch").getAsString().matches("on|off: .+"), r.out());

    Run bad = run("bench", "-m", qwen.toString(), "-r", "0");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("-r must be at least 1"), bad.err());
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"info", "tokenize", "generate", "bench"}) {
      Run r = run(command, "--help");
      assertEquals(0, r.code());
      assertTrue(r.out().contains("Usage: cromwell " + command), r.out());
    }
  }

  @Test
  void editRunsEndToEndWithARealModelAndNeverTouchesTheFileWithoutApply() throws IOException {
    Path ws = Files.createDirectories(dir.resolve("ws"));
    Path file = ws.resolve("geo.py");
    String text = "import math\n\ndef area(r):\n    return 3.14 * r * r\n";
    Files.writeString(file, text);
    Run r =
        run(
            "edit",
            file + ":4",
            "use math.pi",
            "--model",
            qwen.toString(),
            "--root",
            ws.toString(),
            "-t",
            "2");
    // A random-weight model answers nonsense: either a diff is shown or the answer is refused;
    // both are clean outcomes, and without --apply the file is untouched.
    assertTrue(
        r.code() == 0 || (r.code() == 2 && r.err().contains("refused")), r.code() + " " + r.err());
    assertTrue(
        r.code() != 0 || r.out().startsWith("--- a/geo.py") || r.err().contains("no change"),
        r.out() + r.err());
    assertEquals(text, Files.readString(file));

    Run outside =
        run(
            "edit",
            Files.writeString(dir.resolve("outside.txt"), "keep out\n") + ":1",
            "x",
            "--model",
            qwen.toString(),
            "--root",
            ws.toString(),
            "--apply");
    assertEquals(2, outside.code());
    assertTrue(outside.err().contains("outside the workspace"), outside.err());
  }
}
