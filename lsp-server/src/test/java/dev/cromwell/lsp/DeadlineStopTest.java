package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.generate.GenerationRequest.TextStop;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The time limit's answer: nothing before the deadline, whole lines or a word's end after it. */
class DeadlineStopTest {
  @Test
  void afterTheDeadlineTheSuggestionEndsAtItsLastWholeLine() {
    assertEquals("x = 1\ny = 2".length(), DeadlineStop.readableEnd("x = 1\ny = 2\nz = fo"));
    assertEquals("    total = 0".length(), DeadlineStop.readableEnd("    total = 0\n    for"));
    // A line break at the end: every line so far is whole.
    assertEquals("return n".length(), DeadlineStop.readableEnd("return n\n"));
  }

  @Test
  void withoutAWholeLineItEndsAtAWordsEndOrWaits() {
    assertEquals("return self.".length(), DeadlineStop.readableEnd("return self."));
    assertEquals("foo(a, ".length(), DeadlineStop.readableEnd("foo(a, "));
    assertEquals(-1, DeadlineStop.readableEnd("return sel"), "mid-word: wait for its end");
    assertEquals(-1, DeadlineStop.readableEnd("count_"), "an underscore is inside a word");
    assertEquals(-1, DeadlineStop.readableEnd(""));
    assertEquals(-1, DeadlineStop.readableEnd("    "), "indentation alone is not a suggestion");
    assertEquals(-1, DeadlineStop.readableEnd("\n    for i in ra"), "no code before the break");
    assertEquals(-1, DeadlineStop.readableEnd("\n    x = 1;"), "no whole line with code yet");
  }

  @Test
  void beforeTheDeadlineOnlyTheTextsOwnStopCuts() {
    AtomicLong now = new AtomicLong(0);
    TextStop atSemicolon = text -> text.indexOf(';');
    DeadlineStop stop = new DeadlineStop(atSemicolon, 100, 0, 100, now::get);
    assertEquals(-1, stop.cut("x = 1\ny = 2\n"));
    assertEquals(5, stop.cut("x = 1;"));
    assertFalse(stop.fired());

    now.set(100);
    assertEquals(5, stop.cut("x = 1;"), "the text's own stop comes first");
    assertFalse(stop.fired());
    assertEquals(-1, stop.cut("x = va"));
    assertFalse(stop.fired(), "nothing readable: it goes on");
    assertEquals("x = 1".length(), stop.cut("x = 1\ny = va"));
    assertTrue(stop.fired());
  }

  @Test
  void aPromptThatTookTheLimitStillLeavesTheSuggestionItsShare() {
    AtomicLong now = new AtomicLong(90);
    DeadlineStop stop = new DeadlineStop(TextStop.NEVER, 100, 50, 100, now::get);
    assertEquals(-1, stop.cut("x = 1"), "first token at 90: the deadline moves to 140");
    now.set(120);
    assertEquals(-1, stop.cut("x = 1\ny = 2"), "past the arrival deadline, inside the share");
    assertFalse(stop.fired());
    now.set(140);
    assertEquals("x = 1\ny = 2".length(), stop.cut("x = 1\ny = 2\nz"));
    assertTrue(stop.fired());

    AtomicLong early = new AtomicLong(10);
    DeadlineStop quick = new DeadlineStop(TextStop.NEVER, 100, 50, 200, early::get);
    assertEquals(-1, quick.cut("a"), "first token at 10: the arrival deadline (100) stands");
    early.set(100);
    assertEquals("a b ".length(), quick.cut("a b "));
  }

  @Test
  void aColdPromptsSuggestionMayFinishItsFirstLineUntilTheLineEnd() {
    AtomicLong now = new AtomicLong(90);
    DeadlineStop stop = new DeadlineStop(TextStop.NEVER, 100, 50, 200, now::get);
    assertEquals(-1, stop.cut("ids"), "first token at 90: cold, its share runs to 140");
    now.set(150);
    assertEquals(-1, stop.cut("ids = ids("), "a word's end, but the first line may finish");
    assertFalse(stop.fired());
    assertEquals("ids = tok(text)".length(), stop.cut("ids = tok(text)\n"));
    assertTrue(stop.fired());
    assertEquals(DeadlineStop.AT_LINE, stop.reason());

    AtomicLong late = new AtomicLong(90);
    DeadlineStop longLine = new DeadlineStop(TextStop.NEVER, 100, 50, 200, late::get);
    assertEquals(-1, longLine.cut("a"));
    late.set(200);
    assertEquals("a b ".length(), longLine.cut("a b "), "at the line end: a word's end again");
    assertTrue(longLine.fired());
    assertEquals(DeadlineStop.AT_WORD, longLine.reason());
  }

  @Test
  void aQuickPromptsSuggestionGetsNoLineGrace() {
    AtomicLong now = new AtomicLong(10);
    DeadlineStop stop = new DeadlineStop(TextStop.NEVER, 100, 50, 200, now::get);
    assertEquals(-1, stop.cut("a"), "first token at 10: not cold");
    now.set(100);
    assertEquals("ids = ids(".length(), stop.cut("ids = ids("), "the limit ends it at a word");
    assertTrue(stop.fired());
    assertEquals(DeadlineStop.AT_WORD, stop.reason());
  }

  @Test
  void whenTheGraceRunsOutMidWordItEndsAtTheLastWordEndSeen() {
    AtomicLong now = new AtomicLong(90);
    DeadlineStop stop = new DeadlineStop(TextStop.NEVER, 100, 50, 200, now::get);
    assertEquals(-1, stop.cut("ids"));
    assertEquals(null, stop.reason(), "no reason before it fired");
    now.set(150);
    assertEquals(-1, stop.cut("ids = ids("), "in the grace");
    now.set(190);
    assertEquals(-1, stop.cut("ids = ids(ids"), "in the grace, mid-word");
    now.set(200);
    assertEquals(
        "ids = ids(".length(),
        stop.cut("ids = ids(idsx"),
        "mid-word when the grace ends: the last word's end, not on to the engine's hard limit");
    assertTrue(stop.fired());
    assertEquals(DeadlineStop.AT_WORD, stop.reason());
  }

  @Test
  void inTheGraceTheTextsOwnStopStillCutsAndABlankFirstLineWaits() {
    AtomicLong now = new AtomicLong(90);
    TextStop atSemicolon = text -> text.indexOf(';');
    DeadlineStop stop = new DeadlineStop(atSemicolon, 100, 50, 200, now::get);
    assertEquals(-1, stop.cut("x"));
    now.set(150);
    assertEquals(5, stop.cut("x = 1;"), "the text's own stop comes first");
    assertFalse(stop.fired());

    AtomicLong later = new AtomicLong(90);
    DeadlineStop multi = new DeadlineStop(TextStop.NEVER, 100, 50, 200, later::get);
    assertEquals(-1, multi.cut("\n"));
    later.set(150);
    assertEquals(-1, multi.cut("\n    x = f("), "no whole line yet: the grace goes on");
    assertEquals("\n    x = f(a)".length(), multi.cut("\n    x = f(a)\n    y"));
    assertEquals(DeadlineStop.AT_LINE, multi.reason());
  }

  @Test
  void onlyADocumentsFirstSuggestionGetsTheLineGrace() {
    long limit = 450;
    CompletionLane.Job first = new CompletionLane.Job(null, 0, null, () -> true, 1000, 1030, true);
    CompletionLane.Job later = new CompletionLane.Job(null, 0, null, () -> true, 1000, 1030, false);
    assertEquals(1000 + DeadlineStop.HARD_FACTOR * limit, CompletionLane.lineEnd(first, limit));
    assertEquals(1000 + limit, CompletionLane.lineEnd(later, limit), "typing stays bounded");
  }

  @Test
  void theDefaultLimitIsTheLatencyGoalsAndAnExplicitOneWins() {
    assertEquals(450, ServerConfig.defaults().timeLimitMillis());
    ServerConfig cfg =
        ServerConfig.defaults().apply(LspServerTest.options("timeLimitMs", "60000")).config();
    assertEquals(60_000, cfg.timeLimitMillis());
  }
}
