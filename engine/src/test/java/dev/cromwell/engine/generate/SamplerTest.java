package dev.cromwell.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
  @Test
  void greedyTakesTheLargestAndTheLowestIndexOnTies() {
    assertEquals(
        2, new Sampler(SamplerSettings.greedy()).sample(new float[] {1, 2, 5, 5, 0}, new int[0]));
  }

  @Test
  void topCandidatesAreSortedHighestFirst() {
    float[] logits = {0.1f, 3f, -1f, 2f, 3f, 0.5f};
    assertArrayEquals(new int[] {1, 4, 3}, Sampler.topCandidates(logits, 3));
    assertArrayEquals(new int[] {1, 4, 3, 5, 0, 2}, Sampler.topCandidates(logits, 0));
  }

  @Test
  void topKOneIsGreedyWhateverTheTemperature() {
    Sampler s = new Sampler(new SamplerSettings(5f, 1, 1f, 0f, 1f, 64, 3));
    for (int i = 0; i < 50; i++) {
      assertEquals(3, s.sample(new float[] {0, 1, 2, 4, 3.9f}, new int[0]));
    }
  }

  @Test
  void topPKeepsOnlyTheNucleus() {
    // Token 0 holds ~88% of the mass; with top-p 0.5 nothing else may be drawn.
    Sampler s = new Sampler(new SamplerSettings(1f, 0, 0.5f, 0f, 1f, 64, 3));
    for (int i = 0; i < 200; i++) {
      assertEquals(0, s.sample(new float[] {4f, 1f, 1f, 0f}, new int[0]));
    }
  }

  @Test
  void minPDropsUnlikelyTokensAndHighTemperatureExploresTheRest() {
    Sampler s = new Sampler(new SamplerSettings(10f, 0, 1f, 0.5f, 1f, 64, 3));
    Set<Integer> drawn = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      drawn.add(s.sample(new float[] {5f, 4.99f, -20f, -30f}, new int[0]));
    }
    assertEquals(Set.of(0, 1), drawn);
  }

  @Test
  void repeatPenaltyLowersRecentTokens() {
    Sampler s = new Sampler(new SamplerSettings(0f, 0, 1f, 0f, 2f, 4, 0));
    float[] logits = {3f, 2f, -1f};
    assertEquals(1, s.sample(logits, new int[] {0, 0}));
    assertEquals(1.5f, logits[0]);
    assertEquals(2f, logits[1]);
  }

  @Test
  void invalidSettingsAreRejectedWithTheirName() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new SamplerSettings(1f, 0, 0f, 0f, 1f, 64, 0));
    assertTrue(e.getMessage().contains("top-p"));
  }
}
