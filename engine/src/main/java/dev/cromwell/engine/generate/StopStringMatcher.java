package dev.cromwell.engine.generate;

import java.util.List;

/**
 * Streams text while watching for stop strings: text is released as soon as it cannot be the start
 * of a stop string; when one appears, the text before it is released and the rest dropped.
 */
final class StopStringMatcher {
  record Result(String released, boolean stopped) {}

  private final List<String> stops;
  private final StringBuilder pending = new StringBuilder();

  StopStringMatcher(List<String> stops) {
    this.stops = stops;
  }

  Result accept(String piece) {
    pending.append(piece);
    int earliest = -1;
    for (String stop : stops) {
      int at = pending.indexOf(stop);
      if (at >= 0 && (earliest < 0 || at < earliest)) {
        earliest = at;
      }
    }
    if (earliest >= 0) {
      String released = pending.substring(0, earliest);
      pending.setLength(0);
      return new Result(released, true);
    }
    int hold = 0;
    for (String stop : stops) {
      for (int len = Math.min(stop.length() - 1, pending.length()); len > hold; len--) {
        if (pending.toString().regionMatches(pending.length() - len, stop, 0, len)) {
          hold = len;
          break;
        }
      }
    }
    String released = pending.substring(0, pending.length() - hold);
    pending.delete(0, pending.length() - hold);
    return new Result(released, false);
  }

  /** Releases whatever was held back, plus {@code tail}, at the end of the stream. */
  String finish(String tail) {
    Result r = accept(tail);
    if (r.stopped()) {
      return r.released();
    }
    String rest = r.released() + pending;
    pending.setLength(0);
    return rest;
  }
}
