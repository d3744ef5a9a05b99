package dev.cromwell.edit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Which lines of an answer are scored against a repair, and after what: the changed lines and the
 * two after them, after the lines both texts share, with the file's final line end left out as the
 * repair's candidates leave it out.
 */
class AnswerLikelihoodTest {
  /** Records each scoring call; every line scores -1 but a line "B", which scores -7. */
  static final class Recording extends ScriptedEditModel {
    final List<String> contexts = new ArrayList<>();
    final List<String> texts = new ArrayList<>();

    @Override
    public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
      contexts.add(context);
      texts.add(text);
      return LineScores.of(text.lines().mapToDouble(line -> line.equals("B") ? -7 : -1).toArray());
    }
  }

  private static String scoredSpan(String text, String answer) {
    Recording model = new Recording();
    AnswerLikelihood.lowest(model, "HEAD", text, answer, () -> false);
    assertEquals(1, model.texts.size());
    return model.contexts.getFirst() + "|" + model.texts.getFirst();
  }

  @Test
  void theChangedLinesAndTwoAfterThemAfterTheSharedLines() {
    assertEquals("HEADa\n|B\nc\nd", scoredSpan("a\nb\nc\nd\ne\n", "a\nB\nc\nd\ne\n"));
    Recording model = new Recording();
    assertEquals(-7, AnswerLikelihood.lowest(model, "", "a\nb\nc\n", "a\nB\nc\n", () -> false));
  }

  @Test
  void theFilesFinalLineEndIsLeftOutAfterLaterLinesAndKeptAfterTheLastOne() {
    assertEquals("HEADa\n|B\nc", scoredSpan("a\nb\nc\n", "a\nB\nc\n"));
    assertEquals("HEADa\n|B\n", scoredSpan("a\nb\n", "a\nB\n"));
  }

  @Test
  void anInsertedLineIsScoredWithTheTwoAfterIt() {
    assertEquals("HEADa\n|X\nb\nc", scoredSpan("a\nb\nc\nd\n", "a\nX\nb\nc\nd\n"));
    assertEquals("HEADa\n|c\nd", scoredSpan("a\nb\nc\nd\n", "a\nc\nd\n"));
  }

  @Test
  void noChangeOrNoScoreIsNoNumber() {
    Recording model = new Recording();
    assertTrue(Double.isNaN(AnswerLikelihood.lowest(model, "", "a\n", "a\n", () -> false)));
    assertEquals(List.of(), model.texts);
    ScriptedEditModel full =
        new ScriptedEditModel() {
          @Override
          public LineScores lineScores(String context, String text, BooleanSupplier cancelled) {
            throw new EditModel.OutOfTime("the queue is full");
          }
        };
    assertTrue(Double.isNaN(AnswerLikelihood.lowest(full, "", "a\n", "b\n", () -> false)));
  }
}
