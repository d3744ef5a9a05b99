package dev.cromwell.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.kernels.formats.GgmlType;
import org.junit.jupiter.api.Test;

/** Benchmark models fall back per matrix as llama.cpp's quantizer does. */
class RandomModelWriterFallbackTest {
  @Test
  void rowsThatFillTheirBlocksKeepTheType() {
    assertEquals(GgmlType.Q4_K, RandomModelWriter.fallback(GgmlType.Q4_K, 4864));
    assertEquals(GgmlType.Q8_0, RandomModelWriter.fallback(GgmlType.Q8_0, 896));
  }

  @Test
  void kQuantRowsOf896WeightsFallBackAsInLlamaCpp() {
    assertEquals(GgmlType.Q5_0, RandomModelWriter.fallback(GgmlType.Q4_K, 896));
    assertEquals(GgmlType.Q5_1, RandomModelWriter.fallback(GgmlType.Q5_K, 896));
    assertEquals(GgmlType.Q8_0, RandomModelWriter.fallback(GgmlType.Q6_K, 896));
  }

  @Test
  void rowsThatFitNoBlockBecomeF16() {
    assertEquals(GgmlType.F16, RandomModelWriter.fallback(GgmlType.Q4_K, 100));
    assertEquals(GgmlType.F16, RandomModelWriter.fallback(GgmlType.Q8_0, 100));
  }
}
