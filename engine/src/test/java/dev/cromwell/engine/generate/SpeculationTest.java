package dev.cromwell.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.ModelConfig;
import org.junit.jupiter.api.Test;

/** Where the default speculates: only where prompt lookup was measured to pay. */
class SpeculationTest {
  private static final int[] PROMPT = {1, 2, 3};

  @Test
  void autoSpeculatesOnlyOnLongGreedyRequestsOfWideModels() throws Exception {
    ModelConfig narrow;
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(1, 256, 64))) {
      narrow = model.config();
    }
    // The same shape made as wide as the 0.5B (896), where prompt lookup ran 1.61x faster.
    ModelConfig wide =
        new ModelConfig(
            narrow.architecture(),
            896,
            narrow.blockCount(),
            narrow.headCount(),
            narrow.headCountKv(),
            narrow.headDim(),
            narrow.feedForwardLength(),
            narrow.rmsEpsilon(),
            narrow.ropeBase(),
            narrow.recipe(),
            narrow.contextLength(),
            narrow.vocabularySize(),
            narrow.tiedEmbeddings(),
            narrow.qkvBias());
    GenerationRequest longGreedy = GenerationRequest.of(PROMPT, 256, SamplerSettings.greedy());
    GenerationRequest shortGreedy = GenerationRequest.of(PROMPT, 16, SamplerSettings.greedy());
    GenerationRequest sampled =
        GenerationRequest.of(PROMPT, 256, new SamplerSettings(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, 1));

    assertEquals(Speculation.PROMPT_LOOKUP, Speculation.auto(longGreedy, wide));
    assertEquals(Speculation.OFF, Speculation.auto(longGreedy, narrow), "SmolLM2 ran 0.91x");
    assertEquals(Speculation.OFF, Speculation.auto(shortGreedy, wide));
    assertEquals(Speculation.OFF, Speculation.auto(sampled, wide), "only greedy is verified");
  }
}
