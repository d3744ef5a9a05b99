package dev.cromwell.engine.real;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.engine.model.Model;
import org.junit.jupiter.api.Test;

/**
 * {@link Model#loadTimes} on the real SmolLM2: every phase is counted, and only within the load
 * (the tokenizer is built alongside the weights).
 */
class LoadTimesTest {
  @Test
  void splitsTheLoadIntoItsPhases() {
    for (LoadMode mode : LoadMode.values()) {
      long start = System.nanoTime();
      try (Model m = Model.load(RealModels.smollm2(), new Model.Options(1, 64, 64, mode))) {
        long wall = System.nanoTime() - start;
        Model.LoadTimes t = m.loadTimes();
        assertTrue(
            t.openNanos() > 0 && t.tokenizerNanos() > 0 && t.weightsNanos() > 0, mode + ": " + t);
        assertTrue(t.openNanos() + t.weightsNanos() <= t.totalNanos(), mode + ": " + t);
        assertTrue(t.tokenizerNanos() <= t.totalNanos(), mode + ": " + t);
        assertTrue(t.totalNanos() <= wall, mode + ": " + t + " within " + wall + " ns");
      }
    }
  }
}
