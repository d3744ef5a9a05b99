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
 * {@link Session#extend(int[], float[][])} writes the same logits into the caller's rows as {@link
 * Session#extend(int[])} into the session's (to rounding: the first pass may run before the kernels
 * are compiled, whose sums round differently), and refuses rows too few for the tokens before it
 * touches the cache.
 */
class SessionExtendTest {
  @TempDir static Path dir;

  private static final int[] PROMPT = {1, 450, 4996, 17354};
  private static final int[] MORE = {29871, 13, 1678, 100, 7};

  @Test
  void callersRowsHoldWhatTheSessionsWould() {
    try (Model model =
        Model.load(TinyModels.llama(dir, GgmlType.Q8_0), new Model.Options(2, 0, 8))) {
      Session own = model.newSession();
      own.prefill(PROMPT, () -> false);
      float[][] expected = own.extend(MORE);

      Session caller = model.newSession();
      caller.prefill(PROMPT, () -> false);
      float[][] rows = caller.rows(8);
      assertEquals(model.config().vocabularySize(), rows[0].length);
      assertSame(rows, caller.extend(MORE, rows));
      for (int i = 0; i < MORE.length; i++) {
        assertClose(expected[i], rows[i], "row " + i);
      }
      assertEquals(PROMPT.length + MORE.length, caller.length());
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
