package dev.cromwell.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.kernels.formats.GgmlType;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The engine's logits against the naive double-precision oracle, at every position. */
class TransformerReferenceTest {
  @TempDir static Path dir;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("qwen2", GgmlType.F32),
        Arguments.of("qwen2", GgmlType.Q8_0),
        Arguments.of("llama", GgmlType.F16),
        Arguments.of("llama", GgmlType.Q4_0),
        Arguments.of("llama", GgmlType.BF16),
        // Rows of 256 and 512: --load copy moves every type here but F16 to its grouped layout.
        Arguments.of("llama-256", GgmlType.Q4_0),
        Arguments.of("llama-256", GgmlType.Q4_K),
        Arguments.of("llama-256", GgmlType.Q5_K),
        Arguments.of("llama-256", GgmlType.Q6_K),
        Arguments.of("llama-256", GgmlType.Q5_0),
        Arguments.of("llama-256", GgmlType.Q4_1),
        Arguments.of("llama-256", GgmlType.Q5_1));
  }

  /** Every model, mapped and copied into (huge-page) memory. */
  static Stream<Arguments> modelsAndLoadModes() {
    return models()
        .flatMap(
            m ->
                Stream.of(LoadMode.MMAP, LoadMode.COPY)
                    .map(mode -> Arguments.of(m.get()[0], m.get()[1], mode)));
  }

  static Path model(String arch, GgmlType type) {
    return switch (arch) {
      case "qwen2" -> TinyModels.qwen2(dir, type);
      case "llama-256" ->
          TinyModels.write(
              dir,
              new RandomModelWriter.Spec(
                  "llama", 256, 1, 4, 2, 512, false, false, type, 10_000.0, 1e-6f, 512, 0.06f, 9),
              "ggml-vocab-llama-spm.gguf");
      default -> TinyModels.llama(dir, type);
    };
  }

  /**
   * Tolerance: 1e-4 of the largest logit. The engine accumulates in float and the oracle in double
   * over the same decoded weights, so differences are float rounding (~1e-6 relative per op,
   * growing with depth); a wrong op (mask, rope pair, bias, norm) shows up as differences of the
   * order of the logits themselves.
   */
  @ParameterizedTest
  @MethodSource("modelsAndLoadModes")
  void logitsMatchTheNaiveOracleAtEveryPosition(String arch, GgmlType type, LoadMode load) {
    Path path = model(arch, type);
    int[] tokens = {1, 450, 4996, 17354, 29871, 13, 1678, 2, 31999, 100, 7, 42};
    try (Model model = Model.load(path, new Model.Options(2, 0, 8, load, KvCache.Precision.F32));
        GgufFile file = GgufFile.open(path)) {
      double[][] expected = new NaiveTransformer(file).logits(tokens);
      Session session = model.newSession();
      for (int t = 0; t < tokens.length; t++) {
        float[] actual =
            t == 0 ? session.prefill(new int[] {tokens[0]}, () -> false) : session.next(tokens[t]);
        double max = 0;
        for (double v : expected[t]) {
          max = Math.max(max, Math.abs(v));
        }
        assertTrue(
            max > 0.1, "logits are degenerate; the test model is too small to check anything");
        int worst = 0;
        double worstDiff = 0;
        for (int i = 0; i < actual.length; i++) {
          double diff = Math.abs(actual[i] - expected[t][i]);
          if (diff > worstDiff) {
            worstDiff = diff;
            worst = i;
          }
        }
        assertTrue(
            worstDiff <= 1e-4 * max,
            arch
                + " "
                + type
                + " "
                + load
                + " position "
                + t
                + ": logit "
                + worst
                + " differs by "
                + worstDiff
                + " (engine "
                + actual[worst]
                + ", oracle "
                + expected[t][worst]
                + ", max |logit| "
                + max
                + ")");
      }
    }
  }

  @Test
  void prefillOfAWholePromptEqualsTokenByTokenAndReusesTheCommonPrefix() {
    Path path = TinyModels.qwen2(dir, GgmlType.F32);
    try (Model model = Model.load(path, new Model.Options(2, 0))) {
      int[] prompt = {9707, 1879, 11, 1052, 374, 264, 1273};
      Session a = model.newSession();
      float[] whole = a.prefill(prompt, () -> false).clone();
      assertEquals(prompt.length, a.lastComputed());

      Session b = model.newSession();
      b.prefill(new int[] {9707, 1879, 11, 999}, () -> false);
      float[] reused = b.prefill(prompt, () -> false);
      assertEquals(3, b.lastReused(), "the common prefix of 3 tokens is reused");
      assertEquals(4, b.lastComputed());
      assertArrayEquals(whole, reused, 1e-5f);

      float[] again = b.prefill(prompt, () -> false);
      assertEquals(
          prompt.length - 1, b.lastReused(), "an identical prompt recomputes only its last token");
      assertArrayEquals(whole, again, 1e-5f);
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void batchedPrefillGivesTheLogitsOfTokenByTokenPrefill(String arch, GgmlType type) {
    Path path = model(arch, type);
    // Chunks of 40 and 35 tokens: each runs 32 tokens through the outer-product kernel and the
    // rest through the dot-product kernels.
    int[] prompt = new int[75];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = (i * 7919 + 13) % 30000;
    }
    try (Model batched = Model.load(path, new Model.Options(2, 0, 40));
        Model single = Model.load(path, new Model.Options(2, 0, 1))) {
      float[] expected = single.newSession().prefill(prompt, () -> false).clone();
      Session session = batched.newSession();
      float[] actual = session.prefill(prompt, () -> false);
      double max = 0;
      for (float v : expected) {
        max = Math.max(max, Math.abs(v));
      }
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], actual[i], 1e-4 * max, arch + " " + type + " logit " + i);
      }
      // Decoding after a batched prefill continues from the same cache.
      float[] next = session.next(5).clone();
      Session reference = single.newSession();
      reference.prefill(prompt, () -> false);
      float[] expectedNext = reference.next(5);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expectedNext[i], next[i], 1e-4 * max, "after prefill, logit " + i);
      }
    }
  }

  /** 300 tokens in chunks of 64 cross the cache's first growth (256 positions) mid-chunk. */
  @ParameterizedTest
  @EnumSource(KvCache.Precision.class)
  void aLongBatchedPrefillGrowsTheCacheWithoutLosingEntries(KvCache.Precision precision) {
    Path path = TinyModels.qwen2(dir, GgmlType.Q8_0);
    int[] prompt = new int[300];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = (i * 7919 + 13) % 30000;
    }
    try (Model batched = Model.load(path, new Model.Options(2, 0, 64, LoadMode.MMAP, precision));
        Model single = Model.load(path, new Model.Options(2, 0, 1, LoadMode.MMAP, precision))) {
      Session a = batched.newSession();
      Session b = single.newSession();
      float[] expected = b.prefill(prompt, () -> false).clone();
      float[] actual = a.prefill(prompt, () -> false).clone();
      float[] expectedNext = b.next(9);
      float[] actualNext = a.next(9);
      double max = 0;
      for (float v : expected) {
        max = Math.max(max, Math.abs(v));
      }
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], actual[i], 1e-4 * max, precision + " logit " + i);
        assertEquals(expectedNext[i], actualNext[i], 1e-4 * max, precision + " next logit " + i);
      }
    }
  }

  @Test
  void aHalfPrecisionKvCacheStaysCloseToFloat32AndHalvesTheMemory() {
    Path path = TinyModels.qwen2(dir, GgmlType.F32);
    int[] prompt = new int[40];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = (i * 7919 + 13) % 30000;
    }
    try (Model f32 = Model.load(path, new Model.Options(2, 0));
        Model f16 =
            Model.load(path, new Model.Options(2, 0, 8, LoadMode.MMAP, KvCache.Precision.F16))) {
      Session a = f32.newSession();
      Session b = f16.newSession();
      float[] expected = a.prefill(prompt, () -> false).clone();
      float[] actual = b.prefill(prompt, () -> false).clone();
      float[] nextA = a.next(17).clone();
      float[] nextB = b.next(17);
      double max = 0;
      double worst = 0;
      for (int i = 0; i < expected.length; i++) {
        max = Math.max(max, Math.abs(expected[i]));
        worst =
            Math.max(
                worst, Math.max(Math.abs(expected[i] - actual[i]), Math.abs(nextA[i] - nextB[i])));
      }
      // F16 keeps 11 bits of mantissa: keys and values carry ~5e-4 relative error.
      assertTrue(
          worst <= 1e-2 * max, "F16 cache differs by " + worst + " (max |logit| " + max + ")");
      assertTrue(worst > 0, "the F16 cache must actually round");
      assertEquals(a.cacheBytes(), 2 * b.cacheBytes());
    }
  }

  @Test
  void configIsReadFromMetadata() {
    Path path = TinyModels.qwen2(dir, GgmlType.F32);
    try (Model model = Model.load(path, new Model.Options(1, 0))) {
      ModelConfig c = model.config();
      assertEquals("qwen2", c.architecture());
      assertEquals(64, c.embeddingLength());
      assertEquals(4, c.headCount());
      assertEquals(2, c.headCountKv());
      assertEquals(16, c.headDim());
      assertTrue(c.tiedEmbeddings());
      assertTrue(c.qkvBias());
      assertTrue(c.ropeNeox());
      assertEquals(model.tokenizer().vocabulary().size(), c.vocabularySize());
    }
  }
}
