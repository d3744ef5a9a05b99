package dev.cromwell.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The status counters that say whether users get whole suggestions. */
class CompletionStatsTest {
  private static Completer.Output endedBy(String reason) {
    return new Completer.Output("x", 0, 1, 1, reason);
  }

  @Test
  void everyStopTheClockMadeCountsAsTimeLimited() {
    CompletionStats stats = new CompletionStats();
    stats.ran(endedBy("time_limit"), false, 10);
    stats.ran(endedBy(DeadlineStop.AT_LINE), false, 10);
    stats.ran(endedBy(DeadlineStop.AT_WORD), false, 10);
    stats.ran(endedBy("stop_sequence"), false, 10);
    stats.ran(endedBy("max_tokens"), false, 10);
    CompletionStats.Snapshot snapshot = stats.snapshot();
    assertEquals(3, snapshot.timeLimited());
    assertEquals(5, snapshot.completed());
    assertEquals("max_tokens", snapshot.lastStop());
  }
}
