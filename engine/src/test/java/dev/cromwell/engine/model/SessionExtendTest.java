package dev.cromwell.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cromwell.kernels.formats.GgmlType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Session#extend} writes into the caller's rows the logits that decoding the same tokens one
 * at a time ({@link Session#next}) gives (to rounding: the batched kernels sum in another order),
 * and refuses rows too few for the tokens before it touches the cache.
 */
class SessionExtendTest {
  @TempDir static Path dir;

  private static final int[] PROMPT = {1, 450, 4996, 17354};
  private static final int[] MORE = {29871, 13, 1678, 100, 7};

  @Test
  void aBatchedPassGivesTheLogitsThatDecodingATokenAtATimeGives() {
    try (Model model =
        Model.load(TinyModels.llama(dir, GgmlType.Q8_0), new Model.Options(2, 0, 8))) {
      Session oneByOne = model.newSession();
      oneByOne.prefill(PROMPT, () -> false);
      float[][] expected = new float[MORE.length][];
      for (int i = 0; i < MORE.length; i++) {
        expected[i] = oneByOne.next(MORE[i]).clone();
      }

      Session batched = model.newSession();
      batched.prefill(PROMPT, () -> false);
      float[][] rows = batched.rows(8);
      assertEquals(model.config().vocabularySize(), rows[0].length);
      assertSame(rows, batched.extend(MORE, rows));
      for (int i = 0; i < MORE.length; i++) {
        assertClose(expected[i], rows[i], "row " + i);
      }
      assertEquals(PROMPT.length + MORE.length, batched.length());
    }
  }

  @Test
  void tooFewRowsAreRefusedAndTheCacheIsUntouched() {
    try (Model model =
        Model.load(TinyModels.llama(dir, GgmlType.Q8_0), new Model.Options(2, 0, 8))) {
      Session session = model.newSession();
      session.prefill(PROMPT, () -> false);
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> session.extend(MORE, session.rows(2)));
      assertEquals("5 tokens need as many rows, got 2", refused.getMessage());
      assertEquals(PROMPT.length, session.length());
    }
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    float largest = 0;
    for (float v : expected) {
      largest = Math.max(largest, Math.abs(v));
    }
    assertArrayEquals(expected, actual, 1e-5f * largest, what);
  }
}
