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
   * How many draft tokens to propose next: halved after a draft of which nothing was chosen,
   * doubled after one chosen whole, so that text that does not copy its input wastes little on
   * drafts.
   */
  private int budget;

  private float[][] verified;
  private int[] draft = new int[0];

  /** Draft tokens the loop has chosen so far; the rest of {@link #draft} is still unconfirmed. */
  private int confirmed;

  private int drafted;
  private int accepted;

  SpeculativeStepper(Session session, DraftSource source) {
    this.session = session;
    this.source = source;
    this.maxBatch = session.model().prefillChunk();
    this.maxDraft = source.maxDraft();
    this.budget = maxDraft;
  }

  @Override
  public float[] next(int token, int remaining) {
    if (confirmed < draft.length && draft[confirmed] == token) {
      confirmed++;
      accepted++;
      if (confirmed == draft.length) {
        budget = Math.min(maxDraft, budget * 2);
      }
      return verified[confirmed];
    }
    if (draft.length > 0 && confirmed == 0) {
      budget = Math.max(1, budget / 2);
    }
    finish();
    int length = session.length();
    int room = session.model().contextLength() - length - 1;
    int limit = Math.min(Math.min(Math.min(remaining, room), maxBatch - 1), budget);
    int[] tokens = Arrays.copyOf(session.tokens(), length + 1);
    tokens[length] = token;
    draft = source.draft(tokens, length + 1, limit);
    confirmed = 0;
    if (draft.length == 0) {
      return session.next(token);
    }
    drafted += draft.length;
    int[] batch = new int[draft.length + 1];
    batch[0] = token;
    System.arraycopy(draft, 0, batch, 1, draft.length);
    verified = session.extend(batch);
    return verified[0];
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
      session.truncate(length());
    }
    draft = new int[0];
    confirmed = 0;
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
