package dev.cromwell.lsp;

import dev.cromwell.engine.generate.GenerationRequest.TextStop;
import java.util.function.LongSupplier;

/**
 * The time limit of a suggestion as the user sees it: counted from when the request arrived (the
 * debounce, the wait for the model thread and the prompt included), and answered with text that
 * reads well. Once the deadline has passed, the next token ends the suggestion at its last whole
 * line if it has one (a multi-line answer after Enter is cut between lines, not mid-line), else at
 * the end of a word (the text so far ends with something other than a letter, digit or underscore).
 * Text with nothing readable yet goes on until it has, or until the engine's hard limit ({@link
 * #HARD_FACTOR} times the time limit, from the engine's start) ends it as before.
 *
 * <p>The suggestion's own tokens get at least {@code minDecodeNanos} after the first one: when the
 * prompt took most of the limit (the first request after ready computes a cold prompt), a deadline
 * counted only from arrival would answer with the first word, which is no suggestion at all.
 *
 * <p>Such a cold suggestion may also go on to {@code lineEndNanos} to finish its first line: the
 * user has waited for the prompt already, and a line cut after a word ("ids = ids(") is worth less
 * than the same line whole a few tokens later. The lane gives that grace only to a document's first
 * suggestion ({@link CompletionLane#lineEnd}); when it runs out with the line unfinished, the
 * suggestion ends at the last word's end seen during it, so the engine's hard limit, a little
 * later, does not cut it mid-word. A suggestion whose prompt was quick gets no grace.
 */
final class DeadlineStop implements TextStop {
  /** The engine's own limit, from its start, as a multiple of the time limit. */
  static final int HARD_FACTOR = 2;

  /**
   * The stop reasons of a suggestion the deadline ended (status' lastStop, timing lines): at its
   * last whole line, or at a word's end (a line cut short).
   */
  static final String AT_LINE = "deadline_lines", AT_WORD = "deadline_word";

  private final TextStop inner;
  private final long deadlineNanos;
  private final long minDecodeNanos;
  private final long lineEndNanos;
  private final LongSupplier clock;
  private long effectiveDeadline;
  private boolean cold;
  private int lastWordEnd = -1;
  private boolean started;
  private volatile boolean fired;
  private volatile boolean atWord;

  DeadlineStop(
      TextStop inner,
      long deadlineNanos,
      long minDecodeNanos,
      long lineEndNanos,
      LongSupplier clock) {
    this.inner = inner;
    this.deadlineNanos = deadlineNanos;
    this.minDecodeNanos = minDecodeNanos;
    this.lineEndNanos = lineEndNanos;
    this.clock = clock;
  }

  @Override
  public int cut(String text) {
    long now = clock.getAsLong();
    if (!started) {
      // The first call comes with the first token: the prompt is computed.
      started = true;
      long decodeEnd = now + minDecodeNanos;
      cold = decodeEnd - deadlineNanos > 0;
      effectiveDeadline = cold ? decodeEnd : deadlineNanos;
    }
    int own = inner.cut(text);
    if (own >= 0 || now - effectiveDeadline < 0) {
      return own;
    }
    if (cold && !hasWholeLine(text)) {
      int wordEnd = readableEnd(text);
      if (now - lineEndNanos < 0) {
        lastWordEnd = Math.max(lastWordEnd, wordEnd);
        return -1; // a cold prompt's first line may finish
      }
      if (wordEnd < 0 && lastWordEnd > 0) {
        atWord = true; // the grace ran out mid-word: its last word's end
        fired = true;
        return lastWordEnd;
      }
    }
    int keep = readableEnd(text);
    if (keep >= 0) {
      atWord = !hasWholeLine(text);
      fired = true;
    }
    return keep;
  }

  /** Whether the deadline, not the text, ended the suggestion. */
  boolean fired() {
    return fired;
  }

  /**
   * Why the deadline ended the suggestion: {@link #AT_LINE} or {@link #AT_WORD}; null while it has
   * not ({@link #fired}).
   */
  String reason() {
    return fired ? (atWord ? AT_WORD : AT_LINE) : null;
  }

  /** Whether {@code text} has a line with code on it that a line break ended. */
  private static boolean hasWholeLine(String text) {
    int newline = text.lastIndexOf('\n');
    return newline >= 0 && !text.substring(0, newline).isBlank();
  }

  /**
   * The length of {@code text} to answer with when time is up: through its last whole line that has
   * code on it, else all of it when it ends at a word's end, else -1 (nothing readable yet).
   */
  static int readableEnd(String text) {
    int newline = text.lastIndexOf('\n');
    if (hasWholeLine(text)) {
      return newline;
    }
    if (newline >= 0 || text.isBlank()) {
      return -1; // only indentation or an unfinished first line after a line break
    }
    char last = text.charAt(text.length() - 1);
    return Character.isLetterOrDigit(last) || last == '_' ? -1 : text.length();
  }
}
