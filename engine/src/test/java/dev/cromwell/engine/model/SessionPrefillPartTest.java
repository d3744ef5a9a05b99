package dev.cromwell.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cromwell.kernels.formats.GgmlType;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A prompt fed part by part ({@link Session#prefillPart}, as a job joining a running batch is) ends
 * in the same cache and the same logits, bit for bit, as one {@link Session#prefill}.
 */
class SessionPrefillPartTest {
  @TempDir static Path dir;

  private static final int[] PROMPT = {1, 450, 4996, 17354, 29871, 13, 1678, 2, 31999, 100, 7, 42};

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 5, 7})
  void partsOfAtMostNTokensEndAsOneCall(int maxTokens) {
    try (Model model =
        Model.load(TinyModels.llama(dir, GgmlType.Q8_0), new Model.Options(2, 0, 5))) {
      Session whole = model.newSession();
      float[] expected = whole.prefill(PROMPT, () -> false);

      Session parts = model.newSession();
      // Parts are whole chunks of 5 from where the cache ends: ceil(maxTokens / 5) chunks a call.
      int perCall = (maxTokens + 4) / 5 * 5;
      float[] logits = null;
      int calls = 0;
      while (logits == null) {
        logits = parts.prefillPart(PROMPT, maxTokens, () -> false);
        calls++;
        int held = Math.min(PROMPT.length, calls * perCall);
        assertArrayEquals(Arrays.copyOf(PROMPT, held), parts.tokens(), "after call " + calls);
        assertEquals(calls == 1 ? 0 : (calls - 1) * perCall, parts.lastReused());
        if (held < PROMPT.length) {
          assertNull(logits, "no logits before the prompt's last token");
        }
      }
      assertNotNull(logits);
      assertEquals((PROMPT.length + perCall - 1) / perCall, calls);
      assertClose(expected, logits);
      // Both sessions go on alike.
      assertClose(whole.next(5), parts.next(5));
    }
  }

  private static void assertClose(float[] expected, float[] actual) {
    float largest = 0;
    for (float v : expected) {
      largest = Math.max(largest, Math.abs(v));
    }
    assertArrayEquals(expected, actual, 1e-5f * largest);
  }
}
