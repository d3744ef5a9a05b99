package dev.cromwell.engine.real;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Prompt-lookup speculation on the real SmolLM2: greedy output is token for token what plain
 * decoding gives, and the session ends holding exactly the prompt and the output (so the next
 * prompt reuses its cache as before). The edit-like prompt, which copies its input, must accept
 * drafts; the acceptance rate is printed.
 */
class PromptLookupSpeculationTest {
  static final String NAME = "smollm2-135m-instruct";
  static final int MAX_TOKENS = 96;

  static final String CODE =
      """
      def mean(values):
          total = 0
          for v in values:
              total += v
          return total / len(values)

      def variance(values):
          m = mean(values)
          return sum((v - m) ** 2 for v in values) / len(values)
      """;

  static Model model;

  @BeforeAll
  static void load() {
    Path path = RealModels.installed(NAME);
    model = Model.load(path, new Model.Options(2, 1024));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static String chat(String user) {
    return "<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n";
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "edit",
        "Write a Python function that reverses a string.",
        "The capital of France is",
        "List the numbers from one to twenty, separated by commas:"
      })
  void greedyOutputIsIdenticalToPlainDecoding(String which) {
    boolean edit = which.equals("edit");
    String prompt =
        edit
            ? chat(
                "Add a docstring to each function. Answer with the whole code.\n```python\n"
                    + CODE
                    + "```")
            : which.startsWith("The") ? which : chat(which);
    int[] tokens = model.tokenizer().encode(prompt, true);
    GenerationRequest request = GenerationRequest.of(tokens, MAX_TOKENS, SamplerSettings.greedy());

    Session plainSession = model.newSession();
    GenerationResult plain =
        Generator.generate(plainSession, request, piece -> {}, () -> false, Speculation.OFF);
    Session fastSession = model.newSession();
    GenerationResult fast =
        Generator.generate(
            fastSession, request, piece -> {}, () -> false, Speculation.PROMPT_LOOKUP);

    System.out.printf(
        "speculation [%s]: %d tokens, plain %.1f tok/s, lookup %.1f tok/s, %s%n",
        which,
        fast.tokens().length,
        plain.stats().generatedTokensPerSecond(),
        fast.stats().generatedTokensPerSecond(),
        fast.stats().summary());
    assertArrayEquals(plain.tokens(), fast.tokens(), "speculation changed the greedy output");
    assertEquals(plain.text(), fast.text());
    assertEquals(plain.stopReason(), fast.stopReason());
    assertArrayEquals(
        plainSession.tokens(), fastSession.tokens(), "unconfirmed drafts were left in the cache");
    if (edit) {
      assertTrue(plain.tokens().length >= 48, "the edit answer is too short to test: " + plain);
      assertTrue(
          fast.stats().acceptedDrafts() >= plain.tokens().length / 3,
          "an answer that copies its input should come mostly from drafts: "
              + fast.stats().summary());
    }
  }
}
