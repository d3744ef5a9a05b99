package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.engine.model.Model;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The timing line of a load and its warm-up ({@code -Dcromwell.timing=true}). */
class ModelWarmupLineTest {
  private static final Model.LoadTimes LOAD =
      new Model.LoadTimes(600_000_000L, 200_000_000L, 1_200_000_000L, 2_000_000_000L);

  @Test
  void splitsTheLoadAndTheWarmUp() {
    assertEquals(
        "cromwell timing: load 2000.0 ms = open 600.0 + weights 1200.0 (tokenizer 200.0 alongside);"
            + " warm-up 4500.0 ms = kernels 2000.0 (500 rounds) + completions [1500.0 + 1000.0]",
        ModelWarmup.line(
            LOAD,
            new ModelWarmup.Phases(
                500, 2_000_000_000L, List.of(1_500_000_000L, 1_000_000_000L), false)));
  }

  @Test
  void saysWhenTheLastCompletionWasAnEditorRequest() {
    assertEquals(
        "cromwell timing: load 2000.0 ms = open 600.0 + weights 1200.0 (tokenizer 200.0 alongside);"
            + " warm-up 3200.0 ms = kernels 2000.0 (500 rounds) + completions [1200.0], the last an"
            + " editor request",
        ModelWarmup.line(
            LOAD, new ModelWarmup.Phases(500, 2_000_000_000L, List.of(1_200_000_000L), true)));
  }

  @Test
  void saysWhenTheWarmUpWasSkipped() {
    assertEquals(
        "cromwell timing: load 2000.0 ms = open 600.0 + weights 1200.0 (tokenizer 200.0 alongside);"
            + " no warm-up",
        ModelWarmup.line(LOAD, null));
  }
}
