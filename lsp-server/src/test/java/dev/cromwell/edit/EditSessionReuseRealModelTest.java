package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.chat.ChatMessage;
import dev.cromwell.engine.generate.GenerationStats;
import dev.cromwell.engine.generate.Speculation;
import dev.cromwell.engine.model.Model;
import dev.cromwell.protocol.edit.EditPrompts;
import dev.cromwell.testing.RealModels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A follow-up turn on the same {@link ModelEditModel} (the fix path's second look) computes only
 * what its prompt adds to the last prompt and answer, and answers as a fresh model would.
 */
class EditSessionReuseRealModelTest {
  static final String FILE = "def double(x):\n    return x + 2\n";

  @Test
  void aFollowUpTurnComputesOnlyItsNewTokens() {
    try (Model loaded = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      List<GenerationStats> stats = new ArrayList<>();
      ModelEditModel model =
          new ModelEditModel(loaded, null, request -> Speculation.OFF, stats::add);
      var format = model.chatFormat();
      List<ChatMessage> turns = new ArrayList<>();
      turns.add(ChatMessage.system(EditPrompts.SYSTEM_FIX));
      turns.add(ChatMessage.user(EditPrompts.chatUser("d.py", FILE, 1, 2, FILE, "fix the bug")));
      String first = format.render(turns).text();
      String answer = model.generate(first, 48, List.of(), () -> false);
      assertFalse(answer.isBlank(), "SmolLM2 gave no first answer");
      turns.add(ChatMessage.assistant(answer));
      turns.add(ChatMessage.user(EditPrompts.FIX_UNCHANGED));
      String second = format.render(turns).text();
      assertTrue(second.startsWith(first), second);

      String followUp = model.generate(second, 32, List.of(), () -> false);

      int firstTokens = stats.get(0).promptTokens();
      GenerationStats again = stats.get(1);
      // Before, every generation had a fresh session: 0 reused, the whole conversation computed.
      assertTrue(
          again.promptTokensReused() >= firstTokens,
          "reused " + again.promptTokensReused() + " of the first prompt's " + firstTokens);
      assertTrue(
          again.promptTokens() - again.promptTokensReused() < again.promptTokens() / 2,
          "computed " + (again.promptTokens() - again.promptTokensReused()) + " of " + again);
      // The same answer as from a model that computes the whole conversation.
      ModelEditModel fresh = new ModelEditModel(loaded, null, request -> Speculation.OFF, s -> {});
      assertEquals(fresh.generate(second, 32, List.of(), () -> false), followUp);
    }
  }
}
