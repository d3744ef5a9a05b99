package dev.cromwell.edit;

import java.util.List;
import java.util.Optional;

/**
 * How likely a model finds each line of a text where it follows a context ({@link
 * EditModel#lineScores}), and, where the model could say, what it expected at each line's least
 * likely token: a fix's one-token repair of the suspect line ({@link SuspectTokenRepair}) tries
 * those in its place.
 *
 * @param lowest per line, the natural log-probability of its least likely token (0 for a line with
 *     none); empty when the text could not be scored. The array is the caller's own.
 * @param leastLikely per line, its least likely token, or null where none is known (a line with no
 *     token of its own, a model that gives scores alone); empty or as long as {@code lowest}
 */
public record LineScores(double[] lowest, List<LeastLikelyToken> leastLikely) {
  /**
   * A line's least likely token: where it stands in the scored text, and the texts of the tokens
   * the model found most likely in its place, most likely first (only those that are whole
   * characters on one line and not the token itself); with the token before it on the line, where
   * the surprise often starts (after a wrong name, its next token reads unlikely).
   *
   * @param start the token's first character in the scored text
   * @param end just past its last character
   * @param previous the token before it when that is on the same line, else null
   */
  public record LeastLikelyToken(
      int start, int end, List<String> expected, LeastLikelyToken previous) {
    public LeastLikelyToken {
      expected = List.copyOf(expected);
    }

    /** The same tokens, their characters counted from {@code offset} on. */
    public LeastLikelyToken from(int offset) {
      return new LeastLikelyToken(
          start - offset, end - offset, expected, previous == null ? null : previous.from(offset));
    }
  }

  public LineScores {
    // Nulls mark lines without a known token, so the list is wrapped, not copied.
    leastLikely = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(leastLikely));
  }

  /** No scores: the model cannot score text, or the scoring stopped. */
  public static LineScores none() {
    return new LineScores(new double[0], List.of());
  }

  /** Scores alone, without the tokens behind them. */
  public static LineScores of(double[] lowest) {
    return new LineScores(lowest, List.of());
  }

  /** Whether there are no scores. */
  public boolean isEmpty() {
    return lowest.length == 0;
  }

  /** The least likely token of 0-based {@code line}, where known. */
  public Optional<LeastLikelyToken> leastLikely(int line) {
    return line >= 0 && line < leastLikely.size()
        ? Optional.ofNullable(leastLikely.get(line))
        : Optional.empty();
  }
}
