package dev.cromwell.engine.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.kernels.formats.GgmlType;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each model family beyond llama and qwen2 against the naive double-precision oracle (which writes
 * each family's differences out again, independently of {@link Architecture}): every position token
 * by token, and batched prefills that end at several positions. Tolerance as in {@link
 * TransformerReferenceTest}: 1e-4 of the largest logit.
 */
class FamilyReferenceTest {
  @TempDir static Path dir;

  private static final int[] TOKENS = {1, 450, 4996, 17354, 29871, 13, 1678, 2, 31999, 100, 7, 42};

  static Stream<Arguments> families() {
    return Stream.of(
            "qwen3",
            "llama-rope-freqs",
            "llama-linear",
            "starcoder2",
            "phi3",
            "gemma",
            "gemma2",
            "gemma3")
        .flatMap(f -> Stream.of(GgmlType.F32, GgmlType.Q8_0).map(t -> Arguments.of(f, t)));
  }

  @ParameterizedTest
  @MethodSource("families")
  void bothPassesMatchTheOracleAtEveryPosition(String family, GgmlType type) {
    Path path = TinyModels.family(dir, family, type);
    double[][] expected;
    try (GgufFile file = GgufFile.open(path)) {
      expected = new NaiveTransformer(file).logits(TOKENS);
    }
    try (Model model = Model.load(path, new Model.Options(2, 0, 5))) {
      Session session = model.newSession();
      for (int t = 0; t < TOKENS.length; t++) {
        float[] actual =
            t == 0 ? session.prefill(new int[] {TOKENS[0]}, () -> false) : session.next(TOKENS[t]);
        assertClose(expected[t], actual, family + " " + type + " token " + t);
      }
      // Chunks of 5: the last of these prefills runs two full chunks and a partial one.
      for (int length : new int[] {3, 5, TOKENS.length}) {
        int[] prompt = java.util.Arrays.copyOf(TOKENS, length);
        float[] actual = model.newSession().prefill(prompt, () -> false);
        assertClose(expected[length - 1], actual, family + " " + type + " batch of " + length);
      }
    }
  }

  static void assertClose(double[] expected, float[] actual, String what) {
    double max = 0;
    for (double v : expected) {
      max = Math.max(max, Math.abs(v));
    }
    assertTrue(max > 0.1, what + ": logits are degenerate; the model is too small to check");
    int worst = 0;
    double worstDiff = 0;
    for (int i = 0; i < actual.length; i++) {
      double diff = Math.abs(actual[i] - expected[i]);
      if (diff > worstDiff) {
        worstDiff = diff;
        worst = i;
      }
    }
    assertTrue(
        worstDiff <= 1e-4 * max,
        what
            + ": logit "
            + worst
            + " differs by "
            + worstDiff
            + " (engine "
            + actual[worst]
            + ", oracle "
            + expected[worst]
            + ", max |logit| "
            + max
            + ")");
  }
}
