package dev.cromwell.engine.generate;

import dev.cromwell.engine.model.Session;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Drafts with a {@link DraftModel}: its own session follows the target's tokens, and it proposes
 * its greedy continuation. Before each draft the session is brought to the target's tokens with
 * {@link Session#prefill}, which keeps the common prefix: after a rejection that cuts off the
 * draft's unconfirmed tokens (its rollback), after an acceptance it computes only the tokens the
 * target added. The first draft pays for the prompt in the small model.
 */
final class ModelDrafter implements DraftSource {
  private static final int[] NONE = new int[0];

  private final DraftModel draft;
  private final Session session;
  private final BooleanSupplier cancelled;

  ModelDrafter(DraftModel draft, BooleanSupplier cancelled) {
    this.draft = draft;
    this.session = draft.model().newSession();
    this.cancelled = cancelled;
  }

  @Override
  public int maxDraft() {
    return draft.tokens();
  }

  @Override
  public int[] draft(int[] tokens, int length, int limit) {
    int most = Math.min(limit, draft.tokens());
    if (most <= 0 || length + most > draft.model().contextLength()) {
      return NONE;
    }
    float[] logits;
    try {
      logits = session.prefill(Arrays.copyOf(tokens, length), cancelled);
    } catch (CancellationException e) {
      // The decode loop sees the cancellation (or time limit) at its next token.
      return NONE;
    }
    int[] proposed = new int[most];
    for (int i = 0; i < most; i++) {
      proposed[i] = argmax(logits);
      if (draft.model().tokenizer().vocabulary().isEndOfGeneration(proposed[i])) {
        // Nothing follows the end; the target checks the end token itself.
        return Arrays.copyOf(proposed, i + 1);
      }
      if (i + 1 < most) {
        logits = session.next(proposed[i]);
      }
    }
    return proposed;
  }

  private static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
