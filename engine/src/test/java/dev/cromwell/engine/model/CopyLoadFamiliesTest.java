package dev.cromwell.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.kernels.formats.GgmlType;
import dev.cromwell.kernels.formats.RearrangedFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --load copy} for every family beyond llama and qwen2: the copied model, whose matrices
 * move to the grouped layouts (rows of 128 weights, so that they do), gives the logits of the
 * mapped one at every position, token by token and in a batched prefill. Fused matrices (Phi-3's
 * {@code attn_qkv} and gate-and-up {@code ffn_up}) are moved once and viewed by row ranges; tied
 * output heads (Gemma) read the moved embedding. Both load modes run the same kernels on the same
 * weights in another order of summation, hence a tolerance far below the oracle's 1e-4.
 */
class CopyLoadFamiliesTest {
  @TempDir static Path dir;

  private static final int[] TOKENS = {1, 450, 4996, 17354, 29871, 13, 1678, 2, 31999, 100, 7, 42};

  static Stream<Arguments> families() {
    Stream<Arguments> q4 =
        Stream.of(
                "qwen3",
                "llama-rope-freqs",
                "llama-linear",
                "starcoder2",
                "phi3",
                "phi3-128k",
                "gemma",
                "gemma2",
                "gemma3")
            .map(f -> Arguments.of(f, GgmlType.Q4_0));
    // The 5-bit layout for the family whose matrices are fused.
    return Stream.concat(q4, Stream.of(Arguments.of("phi3", GgmlType.Q5_1)));
  }

  @ParameterizedTest
  @MethodSource("families")
  void copyGivesTheLogitsOfMmap(String family, GgmlType type) {
    Path path = TinyModels.wideFamily(dir, family, type);
    List<float[]> mapped = logits(path, LoadMode.MMAP);
    List<float[]> copied = logits(path, LoadMode.COPY);
    assertEquals(mapped.size(), copied.size());
    for (int i = 0; i < mapped.size(); i++) {
      String what = family + " " + type + (i < TOKENS.length ? " token " + i : " batched prefill");
      assertClose(mapped.get(i), copied.get(i), what);
    }
  }

  /** Logits after every token, then after a batched prefill of all of them. */
  private static List<float[]> logits(Path path, LoadMode mode) {
    List<float[]> out = new ArrayList<>();
    try (Model model = Model.load(path, new Model.Options(2, 0, 5, mode, KvCache.Precision.F32))) {
      LayerWeights first = model.weights().layers().getFirst();
      for (Matrix m : List.of(first.query(), first.key(), first.up(), first.down())) {
        assertEquals(
            mode == LoadMode.COPY,
            m.format() instanceof RearrangedFormat,
            m.name() + " in " + mode + " is " + m.format().getClass().getSimpleName());
      }
      if (mode == LoadMode.COPY) {
        assertInstanceOf(RearrangedFormat.class, model.weights().output().format(), "output");
      }
      Session session = model.newSession();
      for (int t = 0; t < TOKENS.length; t++) {
        out.add(
            t == 0 ? session.prefill(new int[] {TOKENS[0]}, () -> false) : session.next(TOKENS[t]));
      }
      out.add(model.newSession().prefill(TOKENS, () -> false));
    }
    return out;
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    double max = 0;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(expected[i]));
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(max > 0.1, what + ": logits are degenerate");
    assertTrue(
        worst <= 1e-5 * max,
        what + ": copy differs from mmap by " + worst + " (max |logit| " + max + ")");
  }
}
