package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.generate.GenerationRequest.TextStop;
import dev.cromwell.engine.model.Model;
import dev.cromwell.protocol.FimFormat;
import dev.cromwell.testing.RealModels;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The time limit's cut on the real SmolLM2's text: whatever token the deadline falls on, the answer
 * is the start of what the model would have written, ending at a line's end or a word's end, never
 * inside a word. The clock counts tokens, so the test does not depend on the machine's speed.
 */
class DeadlineRealModelTest {
  static final List<String> PREFIXES =
      List.of(
          "def count_words(path):\n    words = 0\n    ",
          "class Stack:\n    def __init__(self):\n        self.items = []\n\n    def push(self, x):\n"
              + "        ",
          "import os\n\n\ndef newest(folder):\n    names = [os.path.join(folder, n) for n in ");

  @Test
  void aDeadlineEndsTheSuggestionAtALineOrWordEnd() {
    try (Model model = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      ModelCompleter completer = new ModelCompleter(model, 1L << 26);
      StringBuilder seen = new StringBuilder();
      for (String prefix : PREFIXES) {
        List<FimFormat.Part> prompt =
            completer.format().render("a.py", prefix, "\n", List.of(), "#");
        String whole = completer.complete("w", prompt, TextStop.NEVER, 40, 0, () -> false).text();
        for (long deadline : new long[] {1, 4, 9}) {
          AtomicLong tokens = new AtomicLong();
          DeadlineStop stop =
              new DeadlineStop(TextStop.NEVER, deadline, 0, deadline, tokens::incrementAndGet);
          String cut = completer.complete("d", prompt, stop, 40, 0, () -> false).text();
          seen.append(deadline)
              .append(": ")
              .append(cut.replace("\n", "⏎"))
              .append("  |  ")
              .append(whole.replace("\n", "⏎"))
              .append('\n');
          assertTrue(stop.fired(), "the deadline ended it:\n" + seen);
          assertFalse(cut.isBlank(), "something readable:\n" + seen);
          assertTrue(whole.startsWith(cut), "the start of the model's own text:\n" + seen);
          assertTrue(cut.length() < whole.length(), "shorter than without a deadline:\n" + seen);
          char last = cut.charAt(cut.length() - 1);
          boolean wordEnd = !(Character.isLetterOrDigit(last) || last == '_');
          boolean lineEnd = whole.charAt(cut.length()) == '\n';
          assertTrue(wordEnd || lineEnd, "not cut inside a word:\n" + seen);
        }
      }
      System.out.print(seen);
    }
  }

  @Test
  void aColdPromptsSuggestionIsItsWholeFirstLine() {
    try (Model model = Model.load(RealModels.smollm2(), Model.Options.defaults())) {
      ModelCompleter completer = new ModelCompleter(model, 1L << 26);
      int checked = 0;
      for (String prefix : PREFIXES) {
        List<FimFormat.Part> prompt =
            completer.format().render("a.py", prefix, "\n", List.of(), "#");
        String whole = completer.complete("w", prompt, TextStop.NEVER, 40, 0, () -> false).text();
        // The end of its first line with code (an answer may start with a line break and then
        // the body's first line).
        int firstBreak = -1;
        for (int i = whole.indexOf('\n'); i >= 0; i = whole.indexOf('\n', i + 1)) {
          if (!whole.substring(0, i).isBlank()) {
            firstBreak = i;
            break;
          }
        }
        if (firstBreak < 0) {
          continue; // no line with code ended within 40 tokens: nothing to check here
        }
        // The first token comes at 1, after the deadline (0): cold; the line may finish until 1000.
        AtomicLong tokens = new AtomicLong();
        DeadlineStop stop = new DeadlineStop(TextStop.NEVER, 0, 0, 1000, tokens::incrementAndGet);
        String cut = completer.complete("d", prompt, stop, 40, 0, () -> false).text();
        assertTrue(stop.fired(), "the deadline ended it: " + cut + " | " + whole);
        // A token of two line breaks leaves an empty line after it, which post-processing drops.
        String firstLine = whole.substring(0, firstBreak);
        assertTrue(
            cut.startsWith(firstLine) && cut.substring(firstLine.length()).isBlank(),
            "the whole first line, not a word: " + cut + " | " + whole);
        checked++;
      }
      assertTrue(checked >= 2, "most prefixes' answers have a whole first line with code");
    }
  }
}
