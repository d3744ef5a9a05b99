package dev.cromwell.engine.generate;

import dev.cromwell.engine.model.Session;
import java.util.Arrays;

/**
 * Speculative stepping. Feeding a token also feeds the draft that a {@link DraftSource} (prompt
 * lookup, a draft model, or both) proposes after it, in one batched pass that yields the logits
 * after every position. While the decode loop then chooses exactly the drafted tokens, their logits
 * are already there and cost nothing; at the first difference the cache is cut back to what was
 * chosen. The loop picks every token from the same logits as without drafts, so the output is the
 * same; drafts change only how many passes it takes.
 */
final class SpeculativeStepper implements Stepper {
  private final Session session;
  private final DraftSource source;
  private final int maxBatch;
  private final int maxDraft;

  /**
   * The first drafts' length. A verify pass costs far less per token the more it holds (on the 0.5B
   * at 2 threads, 2-8 rows cost 2.0-3.0 decode steps, 16 rows 4.2, 32 rows 5.1 and 64 rows 9.5:
   * VerifyPassProbe), so drafts that are chosen whole grow towards the batch size; a short start
   * limits the waste where a draft misses. Drafts are one short of a power of two (from the default
   * first length) so that a pass (the token and its draft) fills the batched kernels' groups:
   * {@code MatMul} takes 4 tokens at a time and {@code OuterProductMatMul} 32, and a pass of 17 or
   * 33 rows costs 10-20% more than one of 16 or 32, its last row taking a pass over the weights of
   * its own.
   */
  // -Dcromwell.speculation.firstDraft=N sets it, at least 1 (0 would never draft again).
  static final int FIRST_BUDGET =
      Math.max(1, Integer.getInteger("cromwell.speculation.firstDraft", 7));

  /**
   * How many draft tokens to propose next: the pass's rows doubled after a draft chosen whole (7,
   * 15, 31, 63 tokens), so that long copies are verified in long passes; back to at most {@link
   * #FIRST_BUDGET} after one cut midway, and to at most half that (not below {@link #minDraft})
   * after one of which nothing was chosen, so that text that does not copy its input wastes little
   * on drafts.
   */
  private int budget;

  private final int firstBudget;

  /** {@link #MIN_DRAFT} for prompt lookup (or its most, if less), else 1. */
  private final int minDraft;

  /**
   * The shortest draft worth a verify pass. On this engine a pass of a few rows costs 2.0-3.0
   * decode steps (VerifyPassProbe, 0.5B, 2 threads: the batched kernels decode every weight row
   * once for the pass), so a draft of one or two tokens costs more than it can save.
   */
  static final int MIN_DRAFT = 3;

  /**
   * The most tokens decoded one by one after drafts that missed. A draft of which nothing is chosen
   * costs a pass for one token, so after a miss the next draft waits 1 token, after two in a row 2,
   * then 4, up to this; a draft of which something is chosen ends the waiting. Text the model
   * writes anew (a docstring, a fix) thus costs few passes, and copying resumes soon after.
   */
  static final int MAX_PAUSE = 8;

  private int pause;
  private int pauseAfterMiss;

  private float[][] verified;

  // The verify passes' logits (a vocabulary of floats a row): the stepper's own, so that they go
  // with the generation instead of staying with the session (39 MB at 64 rows of Qwen's
  // vocabulary).
  private float[][] verifyRows = new float[0][];
  private int[] draft = new int[0];

  /** Draft tokens the loop has chosen so far; the rest of {@link #draft} is still unconfirmed. */
  private int confirmed;

  private int drafted;
  private int accepted;

  /**
   * Where the time goes, printed at {@link #finish} to standard error when the system property
   * {@value #PROFILE} is true: passes, rows, and nanoseconds drafting, verifying and rolling back.
   */
  static final String PROFILE = "cromwell.speculation.profile";

  private static final boolean PROFILING = Boolean.getBoolean(PROFILE);
  private int passes;
  private int rows;
  private long draftNanos;
  private long verifyNanos;
  private long rollbackNanos;
  private int longestPass;

  SpeculativeStepper(Session session, DraftSource source) {
    this.session = session;
    this.source = source;
    this.maxBatch = Math.min(session.model().prefillChunk(), Speculation.MAX_PASS);
    // A pass holds the token and its draft, at most maxBatch rows (the prefill chunk or MAX_PASS):
    // drafts grow to one less.
    this.maxDraft = Math.max(1, Math.min(source.maxDraft(), maxBatch - 1));
    // A draft model's drafts have cost its passes already: they are verified whatever their length.
    this.minDraft = source instanceof PromptLookup ? Math.min(MIN_DRAFT, maxDraft) : 1;
    // Never below the shortest draft that is verified, or a short first budget would never draft.
    this.firstBudget = Math.max(minDraft, Math.min(maxDraft, FIRST_BUDGET));
    this.budget = firstBudget;
  }

  // Whether the last next ran a pass (see passed).
  private boolean passed;

  @Override
  public float[] next(int token, int remaining) {
    passed = !(confirmed < draft.length && draft[confirmed] == token);
    if (!passed) {
      confirmed++;
      accepted++;
      if (confirmed == draft.length) {
        budget = (int) Math.min(maxDraft, 2L * budget + 1);
      }
      return verified[confirmed];
    }
    if (confirmed == 0 && draft.length > 0) {
      // Nothing of the draft was chosen: draft again only after a pause, and short.
      budget = Math.max(minDraft, Math.min(budget / 2, firstBudget / 2));
      pauseAfterMiss = Math.min(MAX_PAUSE, Math.max(1, pauseAfterMiss * 2));
      pause = pauseAfterMiss;
    } else if (confirmed > 0) {
      if (confirmed < draft.length) {
        // The copy broke midway: what follows is new text or a copy from elsewhere, so the next
        // draft starts short again (a long one that misses costs many rows).
        budget = Math.max(minDraft, Math.min(budget, firstBudget));
      }
      pauseAfterMiss = 0;
    }
    finish();
    if (pause > 0) {
      pause--;
      return session.next(token);
    }
    int length = session.length();
    int room = session.model().contextLength() - length - 1;
    int limit = Math.min(Math.min(Math.min(remaining, room), maxBatch - 1), budget);
    int[] tokens = Arrays.copyOf(session.tokens(), length + 1);
    tokens[length] = token;
    long t0 = System.nanoTime();
    draft = source.draft(tokens, length + 1, limit);
    long t1 = System.nanoTime();
    draftNanos += t1 - t0;
    confirmed = 0;
    if (draft.length < minDraft) {
      draft = new int[0];
      return session.next(token);
    }
    drafted += draft.length;
    int[] batch = new int[draft.length + 1];
    batch[0] = token;
    System.arraycopy(draft, 0, batch, 1, draft.length);
    if (verifyRows.length < batch.length) {
      verifyRows = session.rows(batch.length);
    }
    verified = session.extend(batch, verifyRows);
    verifyNanos += System.nanoTime() - t1;
    passes++;
    rows += batch.length;
    longestPass = Math.max(longestPass, batch.length);
    return verified[0];
  }

  @Override
  public boolean passed() {
    return passed;
  }

  @Override
  public int[] history() {
    return Arrays.copyOf(session.tokens(), length());
  }

  @Override
  public int length() {
    return session.length() - (draft.length - confirmed);
  }

  @Override
  public void finish() {
    if (confirmed < draft.length) {
      long t0 = System.nanoTime();
      session.truncate(length());
      rollbackNanos += System.nanoTime() - t0;
    }
    draft = new int[0];
    confirmed = 0;
  }

  /** Verify passes so far. */
  int passes() {
    return passes;
  }

  /** The most rows one verify pass has held (the token and its draft). */
  int longestPass() {
    return longestPass;
  }

  /** The profile line (see {@link #PROFILE}), once the generation is over. */
  void report() {
    if (PROFILING) {
      System.err.printf(
          java.util.Locale.ROOT,
          "speculation: %d verify passes of %d rows (%.1f ms each, %.2f ms a row), %d/%d drafts"
              + " accepted; drafting %.1f ms, verifying %.0f ms, rolling back %.1f ms%n",
          passes,
          rows,
          passes == 0 ? 0 : verifyNanos / 1e6 / passes,
          rows == 0 ? 0 : verifyNanos / 1e6 / rows,
          accepted,
          drafted,
          draftNanos / 1e6,
          verifyNanos / 1e6,
          rollbackNanos / 1e6);
    }
  }

  @Override
  public int drafted() {
    return drafted;
  }

  @Override
  public int accepted() {
    return accepted;
  }
}
