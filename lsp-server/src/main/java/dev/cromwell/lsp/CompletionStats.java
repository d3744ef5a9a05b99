package dev.cromwell.lsp;

import dev.cromwell.engine.generate.StopReason;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** What completions did and cost, for {@code cromwell/status}. Thread-safe; each update is tiny. */
final class CompletionStats {
  /** How many latencies the status keeps. */
  private static final int LATENCIES = 20;

  /** The counters at one moment; their names are the keys of the status's "stats" object. */
  record Snapshot(
      long requests,
      long completed,
      long superseded,
      long cancelled,
      long reusedTokens,
      long computedTokens,
      long accepted,
      List<Long> lastLatenciesMillis,
      int lastReused,
      int lastComputed,
      long timeLimited,
      String lastStop,
      long typedAhead) {}

  private final Deque<Long> latencies = new ArrayDeque<>();
  private long requests;
  private long completed;
  private long superseded;
  private long cancelled;
  private long reusedTokens;
  private long computedTokens;
  private long accepted;
  private int lastReused;
  private int lastComputed;
  // Completions the time limit ended ("time_limit", or DeadlineStop's "deadline_lines" at a line
  // end and "deadline_word" at a word's end), and why the last one ended ("stop_sequence", ...):
  // whether users get the model's whole suggestions or what the clock allowed.
  private long timeLimited;
  private String lastStop = "";
  // Requests answered from the suggestion the user was typing out (TypedAhead), without the model.
  private long typedAhead;

  /** A completion was asked for. */
  synchronized void requested() {
    requests++;
  }

  /**
   * A request was dropped before it ran: a newer one for its document came, or it was cancelled.
   */
  synchronized void superseded() {
    superseded++;
  }

  /** The model ran a request (to its end, or until cancelled) in {@code millis} since it came. */
  synchronized void ran(Completer.Output out, boolean wasCancelled, long millis) {
    if (wasCancelled) {
      cancelled++;
    } else {
      completed++;
    }
    reusedTokens += out.reusedTokens();
    computedTokens += out.computedTokens();
    lastReused = out.reusedTokens();
    lastComputed = out.computedTokens();
    lastStop = out.stopReason();
    if (endedByClock(lastStop)) {
      timeLimited++;
    }
    latencies.addLast(millis);
    while (latencies.size() > LATENCIES) {
      latencies.removeFirst();
    }
  }

  /** Whether a completion that ended for {@code stopReason} was ended by the time limit. */
  static boolean endedByClock(String stopReason) {
    return StopReason.TIME_LIMIT.label().equals(stopReason)
        || DeadlineStop.AT_LINE.equals(stopReason)
        || DeadlineStop.AT_WORD.equals(stopReason);
  }

  /** A request was answered with the rest of the suggestion the user was typing out. */
  synchronized void typedAhead() {
    typedAhead++;
  }

  /** The editor reported that a suggestion was accepted. */
  synchronized void accepted() {
    accepted++;
  }

  synchronized Snapshot snapshot() {
    return new Snapshot(
        requests,
        completed,
        superseded,
        cancelled,
        reusedTokens,
        computedTokens,
        accepted,
        List.copyOf(latencies),
        lastReused,
        lastComputed,
        timeLimited,
        lastStop,
        typedAhead);
  }
}
