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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A follow-up turn on the same {@link ModelEditModel} (the fix path's second look) computes only
 * what its prompt adds to the last prompt and answer, and answers as a fresh model would.
 */
class EditSessionReuseRealModelTest {
  static final String FILE = "def double(x):\n    return x + 2\n";

  @ParameterizedTest(name = "speculating: {0}")
  @ValueSource(booleans = {false, true})
  void aFollowUpTurnComputesOnlyItsNewTokens(boolean speculating) {
    // Speculating, the first answer's unconfirmed draft rows are cut off the session at its end
    // (SpeculativeStepper.finish); what the follow-up reuses must be only what was chosen.
    Speculation speculation = speculating ? new Speculation(true, 4, 1, 16) : Speculation.OFF;
    try (Model loaded = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      List<GenerationStats> stats = new ArrayList<>();
      ModelEditModel model = new ModelEditModel(loaded, null, request -> speculation, stats::add);
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
      if (speculating) {
        assertTrue(stats.get(0).draftedTokens() > 0, "the first answer drafted nothing");
      }
      GenerationStats again = stats.get(1);
      // Before, every generation had a fresh session: 0 reused, the whole conversation computed.
      assertTrue(
          again.promptTokensReused() >= firstTokens,
          "reused " + again.promptTokensReused() + " of the first prompt's " + firstTokens);
      assertTrue(
          again.promptTokens() - again.promptTokensReused() < again.promptTokens() / 2,
          "computed " + (again.promptTokens() - again.promptTokensReused()) + " of " + again);
      // The same answer as from a model that computes the whole conversation. The reused positions
      // were computed in decode steps (or verify passes) rather than prefill chunks, which changes
      // their floats at the rounding level only, far below the logit gaps greedy decoding chooses
      // between; a difference here would mean positions reused that do not hold the prompt.
      ModelEditModel fresh = new ModelEditModel(loaded, null, request -> Speculation.OFF, s -> {});
      assertEquals(fresh.generate(second, 32, List.of(), () -> false), followUp);
    }
  }

  @Test
  void aFollowUpTurnAfterAPromptOfAnotherKindStillComputesOnlyItsNewTokens() {
    // The fix path fills a line in between two turns (SuspectLineRefill); that prompt shares none
    // of the conversation, so it runs in a session of its own and the conversation's stays.
    try (Model loaded = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      List<GenerationStats> stats = new ArrayList<>();
      ModelEditModel model =
          new ModelEditModel(loaded, null, request -> Speculation.OFF, stats::add);
      var format = model.chatFormat();
      List<ChatMessage> turns = new ArrayList<>();
      turns.add(ChatMessage.system(EditPrompts.SYSTEM_FIX));
      turns.add(ChatMessage.user(EditPrompts.chatUser("d.py", FILE, 1, 2, FILE, "fix the bug")));
      String first = format.render(turns).text();
      String answer = model.generate(first, 32, List.of(), () -> false);
      String between = model.generate("def triple(x):\n    return", 8, List.of(), () -> false);
      assertFalse(between.isEmpty(), "SmolLM2 wrote nothing after the unrelated prompt");
      assertEquals(0, stats.get(1).promptTokensReused(), "the unrelated prompt shares nothing");
      turns.add(ChatMessage.assistant(answer));
      turns.add(ChatMessage.user(EditPrompts.FIX_UNCHANGED));
      model.generate(format.render(turns).text(), 8, List.of(), () -> false);
      int firstTokens = stats.get(0).promptTokens();
      assertTrue(
          stats.get(2).promptTokensReused() >= firstTokens,
          "reused " + stats.get(2).promptTokensReused() + " of the first prompt's " + firstTokens);
    }
  }
}
