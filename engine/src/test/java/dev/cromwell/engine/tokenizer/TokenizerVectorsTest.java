package dev.cromwell.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.engine.TestData;
import dev.cromwell.engine.gguf.GgufFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** llama.cpp's own tokenizer test vectors: every string must give exactly llama.cpp's ids. */
class TokenizerVectorsTest {
  static final String SEPARATOR = "\n__ggml_vocab_test__\n";

  record Case(String text, int[] ids) {}

  static List<Case> cases(String vocab) throws IOException {
    Path dir = TestData.tokenizers();
    String inputs = Files.readString(dir.resolve(vocab + ".inp"), StandardCharsets.UTF_8);
    List<String> outputs = Files.readAllLines(dir.resolve(vocab + ".out"), StandardCharsets.UTF_8);
    List<String> texts = new ArrayList<>(Arrays.asList(inputs.split(SEPARATOR, -1)));
    texts.remove(texts.size() - 1); // every string is followed by the separator
    assertEquals(46, texts.size(), vocab + ": number of test strings");
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      String line = outputs.get(i).trim();
      int[] ids =
          line.isEmpty()
              ? new int[0]
              : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
      cases.add(new Case(texts.get(i), ids));
    }
    return cases;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ggml-vocab-qwen2.gguf",
        "ggml-vocab-llama-bpe.gguf",
        "ggml-vocab-gpt-2.gguf",
        "ggml-vocab-llama-spm.gguf"
      })
  void reproducesLlamaCppIdsAndRoundTrips(String vocab) throws IOException {
    try (GgufFile file = GgufFile.open(TestData.tokenizers().resolve(vocab))) {
      Tokenizer tokenizer = TokenizerLoader.load(file);
      List<String> failures = new ArrayList<>();
      for (Case c : cases(vocab)) {
        int[] actual = tokenizer.encode(c.text(), false);
        if (!Arrays.equals(c.ids(), actual)) {
          failures.add(
              "\n  "
                  + quote(c.text())
                  + "\n    expected "
                  + Arrays.toString(c.ids())
                  + "\n    actual   "
                  + Arrays.toString(actual));
        }
        String decoded = tokenizer.decode(c.ids());
        if (!decoded.equals(c.text())) {
          failures.add("\n  round trip of " + quote(c.text()) + " gave " + quote(decoded));
        }
      }
      assertEquals(List.of(), failures, vocab + ": " + failures.size() + " mismatches");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ggml-vocab-qwen2.gguf", "ggml-vocab-llama-spm.gguf"})
  void streamingDecodeEqualsWholeDecode(String vocab) throws IOException {
    try (GgufFile file = GgufFile.open(TestData.tokenizers().resolve(vocab))) {
      Tokenizer tokenizer = TokenizerLoader.load(file);
      for (Case c : cases(vocab)) {
        Utf8Stream stream = tokenizer.newStream();
        StringBuilder sb = new StringBuilder();
        for (int id : c.ids()) {
          sb.append(stream.push(tokenizer.tokenBytes(id, false)));
        }
        sb.append(stream.finish());
        String whole = new String(bytesOf(tokenizer, c.ids()), StandardCharsets.UTF_8);
        assertEquals(whole, sb.toString(), quote(c.text()));
      }
    }
  }

  static byte[] bytesOf(Tokenizer tokenizer, int[] ids) {
    var out = new java.io.ByteArrayOutputStream();
    for (int id : ids) {
      out.writeBytes(tokenizer.tokenBytes(id, false));
    }
    return out.toByteArray();
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        default -> sb.append(ch);
      }
    }
    return sb.append('"').toString();
  }

  @org.junit.jupiter.api.Test
  void specialTokensAreSplitOnlyWhenAsked() throws IOException {
    try (GgufFile file = GgufFile.open(TestData.tokenizers().resolve("ggml-vocab-qwen2.gguf"))) {
      Tokenizer tokenizer = TokenizerLoader.load(file);
      int endOfText = tokenizer.vocabulary().id("<|endoftext|>").orElseThrow();
      int[] parsed = tokenizer.encode("a<|endoftext|>b", true);
      assertArrayEquals(
          new int[] {tokenizer.encode("a", false)[0], endOfText, tokenizer.encode("b", false)[0]},
          parsed);
      int[] plain = tokenizer.encode("a<|endoftext|>b", false);
      for (int id : plain) {
        assertEquals(false, id == endOfText, "plain text produced the control token");
      }
      assertEquals("a<|endoftext|>b", tokenizer.decode(plain));
    }
  }
}
