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
import dev.cromwell.engine.generate.SteppedGeneration;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A generation advanced a pass at a time, its prompt a chunk at a time, with another request's
 * passes on the same model between its own (as the editor server's scheduler runs an edit beside
 * completions), on the real SmolLM2: the same tokens, text and stop reason as {@link Generator} in
 * one go, speculating or not; no part computes more than a chunk of prompt or more than one pass;
 * the prompt tokens the session held before are counted as reused.
 */
class SteppedGenerationTest {
  static Model model;

  @BeforeAll
  static void load() {
    model =
        Model.load(
            RealModels.installed(PromptLookupSpeculationTest.NAME), new Model.Options(2, 1024, 16));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aGenerationInPartsBesideAnotherIsTheGenerationInOneGo(boolean speculate) {
    Speculation speculation = speculate ? Speculation.PROMPT_LOOKUP : Speculation.OFF;
    int[] prompt =
        model
            .tokenizer()
            .encode(
                PromptLookupSpeculationTest.chat(
                    "Add a docstring to each function. Answer with the whole code.\n```python\n"
                        + PromptLookupSpeculationTest.CODE
                        + "```"),
                true);
    assertTrue(prompt.length > 3 * model.prefillChunk(), "the prompt must take several parts");
    GenerationRequest request = GenerationRequest.of(prompt, 80, SamplerSettings.greedy());
    // Both sessions already hold the prompt's first 20 tokens (and a different tail after them), so
    // both compute the rest in the same chunks.
    int[] held = Arrays.copyOf(prompt, 24);
    held[20] = held[21] = held[22] = held[23] = prompt[5];
    Session alone = model.newSession();
    alone.prefill(held, () -> false);
    GenerationResult whole =
        Generator.generate(alone, request, piece -> {}, () -> false, speculation);

    Session session = model.newSession();
    session.prefill(held, () -> false);
    Session other = model.newSession();
    other.prefill(model.tokenizer().encode("def add(a, b):", false), () -> false);
    SteppedGeneration stepped =
        new SteppedGeneration(
            session, request, piece -> {}, () -> false, speculation, model.prefillChunk());
    Optional<GenerationResult> result = Optional.empty();
    int parts = 0;
    while (result.isEmpty()) {
      // The first part starts where the held tokens part from the prompt.
      int from = parts == 0 ? 20 : session.length();
      result = stepped.advance();
      parts++;
      if (session.length() <= prompt.length) {
        assertTrue(
            session.length() - from <= model.prefillChunk(),
            "part " + parts + " computed more than a chunk of the prompt");
      }
      other.next(42); // another request's pass between two of this one's
    }
    GenerationResult inParts = result.get();
    assertArrayEquals(whole.tokens(), inParts.tokens(), "the tokens differ");
    assertEquals(whole.text(), inParts.text());
    assertEquals(whole.stopReason(), inParts.stopReason());
    assertEquals(20, inParts.stats().promptTokensReused());
    int[] expected = Arrays.copyOf(prompt, prompt.length + inParts.tokens().length);
    System.arraycopy(inParts.tokens(), 0, expected, prompt.length, inParts.tokens().length);
    assertArrayEquals(expected, session.tokens(), "the session holds the prompt and the answer");
    // A part per pass: drafted tokens chosen after a verify pass go with the next part.
    int promptParts = Math.ceilDiv(prompt.length - 20, model.prefillChunk());
    int passes = inParts.tokens().length - inParts.stats().acceptedDrafts();
    assertEquals(promptParts + passes + 1, parts, "a part per pass, and the last that ends it");
    if (speculate) {
      assertTrue(inParts.stats().acceptedDrafts() > 0, "no draft was taken: nothing was tested");
    }
    System.out.printf(
        "stepped (speculate=%b): %d tokens in %d parts, %s%n",
        speculate, inParts.tokens().length, parts, inParts.stats().summary());
  }
}
