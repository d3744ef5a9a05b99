package dev.cromwell.engine.real;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link Model#warmKernels} on the real SmolLM2: bounded, stoppable, and without side effects. */
class KernelWarmupTest {
  private static Model load() {
    return Model.load(RealModels.smollm2(), new Model.Options(2, 64, 64, LoadMode.COPY));
  }

  @Test
  void runsTheRoundsAskedFor() {
    try (Model m = load()) {
      assertEquals(3, m.warmKernels(3, Long.MAX_VALUE, () -> false));
    }
  }

  @Test
  void stopsAtOnceWhenTheLoadIsSuperseded() {
    try (Model m = load()) {
      AtomicInteger polls = new AtomicInteger();
      // Superseded after the first round: the warm-up polls before each round and stops there.
      assertEquals(1, m.warmKernels(1_000, Long.MAX_VALUE, () -> polls.incrementAndGet() > 1));
      assertEquals(0, m.warmKernels(1_000, Long.MAX_VALUE, () -> true));
    }
  }

  @Test
  void leavesTheModelsAnswersAsTheyWere() {
    int[] prompt = {1, 504, 3287, 314, 253, 1789, 30};
    try (Model cold = load();
        Model warmed = load()) {
      warmed.warmKernels(5, Long.MAX_VALUE, () -> false);
      Session a = cold.newSession();
      Session b = warmed.newSession();
      float[] expected = a.prefill(prompt, () -> false).clone();
      float[] actual = b.prefill(prompt, () -> false);
      float max = 0;
      for (float v : expected) {
        max = Math.max(max, Math.abs(v));
      }
      // Equal up to the order of summation (compiled and interpreted vector reductions may differ).
      assertArrayEquals(expected, actual, 1e-5f * max);
    }
  }
}
