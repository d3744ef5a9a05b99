package dev.cromwell.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.model.Session;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, finding 8: the time limit used to start after the prompt, so a long prompt ran 10.5 s
 * against a 1 s limit. It now covers prompt processing: the prefill stops at the next chunk.
 */
class TimeLimitTest {
  @Test
  void theTimeLimitCoversPromptProcessing() {
    try (Model model = Model.load(RealModels.smollm2(), new Model.Options(2, 2048, 64))) {
      int[] prompt = model.tokenizer().encode("int x = 1;\n".repeat(200), false); // 1,400 tokens
      Session session = model.newSession();
      GenerationResult result =
          Generator.generate(
              session,
              new GenerationRequest(
                  prompt, 50, SamplerSettings.greedy(), Set.of(), List.of(), 1_000_000L),
              piece -> {},
              () -> false);
      assertEquals(StopReason.TIME_LIMIT, result.stopReason());
      assertEquals(0, result.stats().generatedTokens());
      assertTrue(
          session.length() < prompt.length,
          "the whole prompt of " + prompt.length + " tokens ran past a 1 ms limit");
    }
  }
}
