package dev.cromwell.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cromwell.engine.RealModels;
import dev.cromwell.kernels.formats.GgmlType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oracle for batched decoding: a {@link DecodeBatch} step over sequences at different positions
 * gives each the logits of its own one-token forward pass ({@link Session#next}). Tolerance as the
 * prefill-versus-decode tests ({@link TransformerReferenceTest}): 1e-4 of the largest logit.
 */
class DecodeBatchTest {
  @TempDir static Path dir;

  private static final int[] TOKENS = {1, 450, 4996, 17354, 29871, 13, 1678, 2, 31999, 100, 7, 42};

  static Stream<Arguments> families() {
    return Stream.of(
        Arguments.of("llama", GgmlType.Q8_0),
        Arguments.of("qwen2", GgmlType.F32),
        Arguments.of("qwen3", GgmlType.Q8_0),
        Arguments.of("phi3", GgmlType.F32),
        Arguments.of("starcoder2", GgmlType.Q8_0),
        Arguments.of("gemma2", GgmlType.F32),
        Arguments.of("gemma3", GgmlType.Q8_0));
  }

  private static Path tiny(String family, GgmlType type) {
    return switch (family) {
      case "llama" -> TinyModels.llama(dir, type);
      case "qwen2" -> TinyModels.qwen2(dir, type);
      default -> TinyModels.family(dir, family, type);
    };
  }

  @ParameterizedTest
  @MethodSource("families")
  void aStepOverSequencesAtDifferentPositionsEqualsEachOnesOwnForward(
      String family, GgmlType type) {
    try (Model model = Model.load(tiny(family, type), new Model.Options(2, 0, 5))) {
      checkSteps(model, family + " " + type, TOKENS);
    }
  }

  @Test
  void onSmolLm2TheBatchedStepEqualsEachSequencesOwnForward() {
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 0, 16))) {
      int[] prompt =
          model.tokenizer().encode("def fibonacci(n):\n    if n < 2:\n        return", true);
      checkSteps(model, "smollm2", prompt);
    }
  }

  /**
   * Five sequences with prompts of 1 to {@code tokens.length} tokens, so every row sits at another
   * position; two steps of all five, then a step in which three left and the order changed.
   */
  private static void checkSteps(Model model, String what, int[] tokens) {
    int[] lengths = {1, 3, tokens.length / 2, tokens.length - 2, tokens.length};
    List<Session> batched = new ArrayList<>();
    List<Session> alone = new ArrayList<>();
    for (int length : lengths) {
      int[] prompt = Arrays.copyOf(tokens, length);
      Session a = model.newSession();
      a.prefill(prompt, () -> false);
      batched.add(a);
      Session b = model.newSession();
      b.prefill(prompt, () -> false);
      alone.add(b);
    }
    DecodeBatch batch = new DecodeBatch(model, 8);
    for (int step = 0; step < 2; step++) {
      int[] next = new int[batched.size()];
      for (int i = 0; i < next.length; i++) {
        next[i] = tokens[(i * 5 + step * 3 + 2) % tokens.length];
      }
      float[][] actual = batch.step(batched, next);
      for (int i = 0; i < next.length; i++) {
        float[] expected = alone.get(i).next(next[i]);
        assertClose(expected, actual[i], what + " step " + step + " sequence " + i);
      }
    }
    // Three leave; the two left change places in the batch.
    List<Session> left = List.of(batched.get(3), batched.get(1));
    float[][] actual = batch.step(left, new int[] {tokens[0], tokens[1]});
    assertClose(alone.get(3).next(tokens[0]), actual[0], what + " after leaving, sequence 3");
    assertClose(alone.get(1).next(tokens[1]), actual[1], what + " after leaving, sequence 1");
    for (int i = 0; i < batched.size(); i++) {
      assertArrayEquals(alone.get(i).tokens(), batched.get(i).tokens(), what + " history " + i);
    }
  }

  @Test
  void badStepsAreRefusedWithAReason() {
    try (Model model =
        Model.load(TinyModels.qwen2(dir, GgmlType.F32), new Model.Options(2, 0, 5))) {
      Session s = model.newSession();
      s.prefill(new int[] {1, 2}, () -> false);
      DecodeBatch batch = new DecodeBatch(model, 2);
      assertThrows(
          IllegalArgumentException.class, () -> batch.step(List.of(s, s), new int[] {3, 4}));
      assertThrows(
          IllegalArgumentException.class,
          () -> batch.step(List.of(s), new int[] {model.config().vocabularySize()}));
      Session t = model.newSession();
      Session u = model.newSession();
      t.prefill(new int[] {1}, () -> false);
      u.prefill(new int[] {1}, () -> false);
      assertThrows(
          IllegalArgumentException.class, () -> batch.step(List.of(s, t, u), new int[] {1, 2, 3}));
      assertArrayEquals(
          new int[] {1, 2}, s.tokens(), "a refused step leaves the session as it was");
    }
  }

  /** {@link FamilyReferenceTest}'s check, with the one-token pass as the oracle. */
  private static void assertClose(float[] expected, float[] actual, String what) {
    double[] oracle = new double[expected.length];
    for (int i = 0; i < expected.length; i++) {
      oracle[i] = expected[i];
    }
    FamilyReferenceTest.assertClose(oracle, actual, what);
  }
}
