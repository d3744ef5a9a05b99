package dev.cromwell.engine.generate;

import dev.cromwell.engine.model.Model;
import dev.cromwell.engine.tokenizer.Vocabulary;
import java.util.Arrays;

/**
 * A smaller model that drafts tokens for a larger one (speculative decoding): it proposes up to
 * {@code tokens} tokens greedily with its own KV cache, and the target verifies them in one batched
 * pass. Only a model whose vocabulary is the target's token for token can draft, since a draft is a
 * list of token ids; {@link #of} checks that. A generation uses it from one thread; the caller owns
 * {@code model} and closes it.
 *
 * @param model the draft model
 * @param tokens the most tokens it proposes at once
 */
public record DraftModel(Model model, int tokens) {
  /**
   * The default draft length. A 0.5B token costs about 0.45 of a 1.5B token here (decode is
   * memory-bound and the 0.5B's 151,936-row output matrix is a large part of it), so long drafts
   * cost more than they save unless nearly all are accepted; 3 is the estimate at the ~80%
   * acceptance measured on edits (docs/PERFORMANCE.md), until an idle run of
   * benchmarks/draft-speculation.sh over several lengths settles it.
   */
  public static final int DEFAULT_TOKENS = 3;

  public DraftModel {
    if (tokens < 1) {
      throw new IllegalArgumentException("draft tokens must be positive, got " + tokens);
    }
  }

  /**
   * {@code draft} as the draft model of {@code target}.
   *
   * @throws IllegalArgumentException (one line naming both files) if their vocabularies differ
   */
  public static DraftModel of(Model draft, Model target, int tokens) {
    String difference = difference(draft, target);
    if (difference != null) {
      throw new IllegalArgumentException(
          "draft model "
              + draft.file().path()
              + " cannot draft for "
              + target.file().path()
              + ": "
              + difference
              + "; a draft model must share the target's vocabulary token for token (e.g."
              + " qwen2.5-coder-0.5b-instruct for qwen2.5-coder-1.5b-instruct)");
    }
    return new DraftModel(draft, tokens);
  }

  /** How the two vocabularies differ, or null when they are the same token for token. */
  static String difference(Model draft, Model target) {
    int draftRows = draft.config().vocabularySize();
    int targetRows = target.config().vocabularySize();
    if (draftRows != targetRows) {
      return "its vocabulary has " + draftRows + " tokens, the target's " + targetRows;
    }
    Vocabulary d = draft.tokenizer().vocabulary();
    Vocabulary t = target.tokenizer().vocabulary();
    if (d.size() != t.size()) {
      return "its tokenizer has " + d.size() + " tokens, the target's " + t.size();
    }
    for (int id = 0; id < d.size(); id++) {
      if (!d.text(id).equals(t.text(id))) {
        return "token " + id + " is \"" + d.text(id) + "\" there and \"" + t.text(id) + "\" here";
      }
    }
    if (d.bosId() != t.bosId() || d.eosId() != t.eosId()) {
      return "its BOS/EOS ids are "
          + d.bosId()
          + "/"
          + d.eosId()
          + ", the target's "
          + t.bosId()
          + "/"
          + t.eosId();
    }
    int[] dEnd = d.eosIds().clone();
    int[] tEnd = t.eosIds().clone();
    Arrays.sort(dEnd);
    Arrays.sort(tEnd);
    if (!Arrays.equals(dEnd, tEnd)) {
      return "its end-of-generation ids are "
          + Arrays.toString(dEnd)
          + ", the target's "
          + Arrays.toString(tEnd);
    }
    return null;
  }
}
