package dev.cromwell.engine.real;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.generate.DraftModel;
import dev.cromwell.engine.generate.GenerationRequest;
import dev.cromwell.engine.generate.GenerationResult;
import dev.cromwell.engine.generate.Generator;
import dev.cromwell.engine.generate.SamplerSettings;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.RandomModelWriter;
import dev.cromwell.engine.model.Session;
import dev.cromwell.kernels.formats.GgmlType;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Speculative decoding with a draft model on the real SmolLM2: greedy output is token for token
 * what plain decoding gives, whether the draft is good (SmolLM2 drafting for itself, as the 0.5B
 * drafts for the 1.5B) or bad (a random-weight model over SmolLM2's own vocabulary, whose drafts
 * are nearly all rejected, so both KV caches roll back at almost every step), with and without
 * prompt lookup first. The target's session ends holding exactly the prompt and the output.
 */
class DraftModelSpeculationTest {
  static final String NAME = "smollm2-135m-instruct";
  static final int MAX_TOKENS = 64;

  @TempDir static Path dir;
  static Model target;
  static Model self;
  static Model random;

  @BeforeAll
  static void load() throws IOException {
    Path path = RealModels.installed(NAME);
    target = Model.load(path, new Model.Options(2, 1024));
    self = Model.load(path, new Model.Options(2, 1024));
    Path randomPath = dir.resolve("random-smollm2-vocabulary.gguf");
    try (GgufFile vocabulary = GgufFile.open(path)) {
      RandomModelWriter.write(
          RandomModelWriter.Spec.tiny("llama", GgmlType.Q8_0, 27), vocabulary, randomPath);
    }
    random = Model.load(randomPath, new Model.Options(1, 512));
  }

  @AfterAll
  static void close() {
    target.close();
    self.close();
    random.close();
  }

  static int[] prompt(String user) {
    String chat = "<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n";
    return target.tokenizer().encode(chat, true);
  }

  record Pair(GenerationResult plain, GenerationResult fast, Session fastSession) {}

  static Pair run(int[] tokens, Speculation speculation) {
    GenerationRequest request = GenerationRequest.of(tokens, MAX_TOKENS, SamplerSettings.greedy());
    Session plainSession = target.newSession();
    GenerationResult plain =
        Generator.generate(plainSession, request, piece -> {}, () -> false, Speculation.OFF);
    Session fastSession = target.newSession();
    GenerationResult fast =
        Generator.generate(fastSession, request, piece -> {}, () -> false, speculation);
    assertArrayEquals(plain.tokens(), fast.tokens(), "speculation changed the greedy output");
    assertEquals(plain.text(), fast.text());
    assertEquals(plain.stopReason(), fast.stopReason());
    assertArrayEquals(
        plainSession.tokens(), fastSession.tokens(), "unconfirmed drafts were left in the cache");
    assertTrue(plain.tokens().length >= 24, "the answer is too short to test: " + plain.text());
    return new Pair(plain, fast, fastSession);
  }

  @Test
  void aModelDraftingForItselfIsLosslessAndAcceptedAlmostWhole() {
    Pair r =
        run(
            prompt("Write a Python function that checks whether a number is prime."),
            Speculation.OFF.withDraftModel(DraftModel.of(self, target, 4)));
    System.out.println("self-draft: " + r.fast().stats().summary());
    // The same weights propose what the target picks, up to rounding between one-token and
    // batched passes; far fewer accepted would mean the draft session lost track of the text.
    assertTrue(
        r.fast().stats().acceptedDrafts() >= r.plain().tokens().length / 2,
        r.fast().stats().summary());
  }

  @Test
  void aBadDraftModelIsRolledBackAndChangesNothing() {
    Pair r =
        run(
            prompt("List the planets of the solar system, one per line."),
            Speculation.OFF.withDraftModel(DraftModel.of(random, target, 3)));
    System.out.println("random draft: " + r.fast().stats().summary());
    assertTrue(r.fast().stats().draftedTokens() > 0, "the draft model proposed nothing");
  }

  @Test
  void promptLookupFirstThenTheDraftModelIsLossless() {
    Pair r =
        run(
            prompt(
                "Add a docstring to each function. Answer with the whole code.\n```python\n"
                    + PromptLookupSpeculationTest.CODE
                    + "```"),
            Speculation.PROMPT_LOOKUP.withDraftModel(DraftModel.of(self, target, 4)));
    System.out.println("lookup + self-draft: " + r.fast().stats().summary());
    assertTrue(r.fast().stats().acceptedDrafts() > 0, r.fast().stats().summary());
  }
}
