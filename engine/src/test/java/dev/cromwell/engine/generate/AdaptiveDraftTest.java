package dev.cromwell.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The speculative stepper's adaptive drafts on the real SmolLM2, driven token by token as the
 * decode loop drives it: drafts that are chosen whole grow past the first length towards the batch
 * size, drafts are cut and rejected midway, the stepper pauses after misses, and through all of it
 * the greedy tokens and the session's cache are exactly those of plain decoding.
 */
class AdaptiveDraftTest {
  static final int TOKENS = 160;

  static Model model;

  @BeforeAll
  static void load() {
    model = Model.load(RealModels.smollm2(), new Model.Options(2, 1024));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static int[] chat(String user) {
    return model
        .tokenizer()
        .encode("<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n", true);
  }

  /** Greedy tokens after {@code prompt}, one model pass a token. */
  static int[] plain(int[] prompt) {
    Session s = model.newSession();
    float[] logits = s.prefill(prompt, () -> false);
    int[] out = new int[TOKENS];
    for (int i = 0; i < TOKENS; i++) {
      out[i] = argmax(logits);
      logits = s.next(out[i]);
    }
    return out;
  }

  /** The same through a speculative stepper; checks the cache at the end. */
  static SpeculativeStepper speculative(int[] prompt, Speculation speculation, int[] expected) {
    Session s = model.newSession();
    float[] logits = s.prefill(prompt, () -> false);
    SpeculativeStepper stepper = new SpeculativeStepper(s, speculation.source(() -> false));
    int[] out = new int[TOKENS];
    for (int i = 0; i < TOKENS; i++) {
      out[i] = argmax(logits);
      logits = stepper.next(out[i], TOKENS - i - 1);
    }
    stepper.finish();
    assertArrayEquals(expected, out, "speculation changed the greedy output");
    int[] held = Arrays.copyOf(prompt, prompt.length + TOKENS);
    System.arraycopy(out, 0, held, prompt.length, TOKENS);
    assertArrayEquals(held, s.tokens(), "the cache holds unconfirmed drafts");
    return stepper;
  }

  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  static String code() {
    StringBuilder code = new StringBuilder();
    for (String[] f :
        new String[][] {
          {"mean", "v"}, {"scaled", "2 * v"}, {"squares", "v * v"}, {"cubes", "v**3"}
        }) {
      code.append("def ")
          .append(f[0])
          .append("(values):\n    total = 0\n    for v in values:\n        total = total + ")
          .append(f[1])
          .append("\n    return total\n\n");
    }
    return code.toString();
  }

  @Test
  void draftsChosenWholeGrowPastTheFirstLength() {
    // SmolLM2 copies little of a chat answer, but continuing this it soon repeats one line over
    // and over, which drafts that repeat the text predict exactly.
    int[] prompt =
        model
            .tokenizer()
            .encode(
                "# file a.py\n" + code() + "# file b.py, a copy of a.py\ndef mean(values):\n",
                true);
    SpeculativeStepper stepper = speculative(prompt, Speculation.PROMPT_LOOKUP, plain(prompt));
    System.out.printf(
        "copy: %d/%d drafts accepted in %d passes, longest %d rows%n",
        stepper.accepted(), stepper.drafted(), stepper.passes(), stepper.longestPass());
    assertTrue(
        stepper.longestPass() > SpeculativeStepper.FIRST_BUDGET + 1,
        "a long copy should be verified in passes longer than the first draft: "
            + stepper.longestPass());
    assertTrue(stepper.accepted() >= TOKENS / 2, "a copy should come mostly from drafts");
  }

  @Test
  void passesStayWithinMaxPassWhateverThePrefillChunk() {
    // generate and edit prefill in chunks of 256 (Model.BATCH_PREFILL_CHUNK); a verify pass keeps
    // every row's logits, so it stays at most Speculation.MAX_PASS rows.
    try (Model wide =
        Model.load(RealModels.smollm2(), new Model.Options(2, 1024, Model.BATCH_PREFILL_CHUNK))) {
      int[] prompt =
          wide.tokenizer()
              .encode(
                  "# file a.py\n" + code() + "# file b.py, a copy of a.py\ndef mean(values):\n",
                  true);
      Session s = wide.newSession();
      float[] logits = s.prefill(prompt, () -> false);
      SpeculativeStepper stepper =
          new SpeculativeStepper(s, Speculation.PROMPT_LOOKUP.source(() -> false));
      for (int i = 0; i < TOKENS; i++) {
        logits = stepper.next(argmax(logits), TOKENS - i - 1);
      }
      stepper.finish();
      assertTrue(
          stepper.longestPass() > 32 && stepper.longestPass() <= Speculation.MAX_PASS,
          "longest pass " + stepper.longestPass());
    }
  }

  @Test
  void draftsRejectedMidwayLeaveTheOutputAsPlainDecoding() {
    // One-token n-grams draft nearly everywhere, so most drafts are cut somewhere inside.
    Speculation eager = new Speculation(true, 4, 1, 64);
    int drafted = 0;
    int accepted = 0;
    for (String user :
        new String[] {
          "Add a docstring to each function. Answer with the whole code.\n" + code(),
          "List the numbers from one to twenty, separated by commas:",
          "Write a short story about a robot that learns to paint."
        }) {
      int[] prompt = chat(user);
      SpeculativeStepper stepper = speculative(prompt, eager, plain(prompt));
      System.out.printf(
          "eager: %d/%d drafts accepted in %d passes%n",
          stepper.accepted(), stepper.drafted(), stepper.passes());
      assertTrue(stepper.passes() > 0, "nothing was drafted for: " + user);
      drafted += stepper.drafted();
      accepted += stepper.accepted();
    }
    assertTrue(accepted > 0 && accepted < drafted, accepted + "/" + drafted + " accepted");
  }
}
