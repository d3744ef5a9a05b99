package dev.cromwell.lsp;

import dev.cromwell.engine.tokenizer.Tokenizer;
import dev.cromwell.engine.tokenizer.Vocabulary;
import java.util.Arrays;

/**
 * Token healing: a prompt that ends inside a word ends on a token the model would rarely have
 * chosen there ("if n" is "if", " n"; the model writes " n" mostly as part of " not" or " n %"),
 * and the model then starts over ("if n n % 2", or on Qwen "if n else:"). So the text before the
 * cursor is backed up by its last token (or its last few, when one token spells them all), and the
 * first generated token must spell that token's bytes out again, possibly going further (" n" → "
 * num"); the bytes already typed are then dropped from the suggestion. Only tokens that cover all
 * the removed bytes qualify (letting a shorter one spell part of them leads greedy decoding into
 * splits no tokenizer makes), and only a token of the cursor's line is backed up. {@code
 * -Dcromwell.tokenHealing=false} turns it off (to show what it is worth).
 */
final class TokenHealing {
  private static final byte[] NONE = new byte[0];
  private static final boolean ENABLED =
      Boolean.parseBoolean(System.getProperty("cromwell.tokenHealing", "true"));

  /** The bytes each token stands for; empty for control tokens, which never heal. */
  private final byte[][] bytes;

  TokenHealing(Tokenizer tokenizer) {
    Vocabulary v = tokenizer.vocabulary();
    bytes = new byte[v.size()][];
    for (int id = 0; id < bytes.length; id++) {
      bytes[id] =
          v.isControl(id) || v.isEndOfGeneration(id) ? NONE : tokenizer.tokenBytes(id, false);
    }
  }

  /**
   * A prompt to run instead, and the bytes its first generated tokens must reproduce.
   *
   * @param prompt the tokens to prefill
   * @param removed the bytes of the token taken out (empty: nothing to heal)
   */
  record Plan(int[] prompt, byte[] removed) {
    boolean heals() {
      return removed.length > 0;
    }
  }

  /**
   * Tokens backed up at most. A word typed partly is often split into pieces no tokenizer makes of
   * the whole word (" res" "ul" for " resul", where " result" is one token), and the model reads
   * the first piece as a whole word: at the start of a seeded FIM middle the 0.5B then wrote "resul
   * = []". Backing up all the pieces that one token can spell out lets it choose " result".
   */
  static final int MAX_BACKED_UP = 4;

  /**
   * Backs {@code tokens} up by the most tokens ending at {@code cursorEnd} (exclusive), up to
   * {@link #MAX_BACKED_UP}, whose bytes one vocabulary token starts with, if they heal.
   */
  Plan plan(int[] tokens, int cursorEnd) {
    // A one-token prompt is not healed: without its token nothing would be left to prefill.
    if (!ENABLED || cursorEnd <= 0 || cursorEnd > tokens.length || tokens.length < 2) {
      return new Plan(tokens, NONE);
    }
    byte[] removed = NONE;
    int back = 0;
    byte[] joined = NONE;
    for (int k = 1; k <= MAX_BACKED_UP && k < cursorEnd && k < tokens.length; k++) {
      byte[] piece = bytes[tokens[cursorEnd - k]];
      if (piece.length == 0 || indexOf(piece, (byte) '\n') >= 0) {
        break;
      }
      byte[] longer = new byte[piece.length + joined.length];
      System.arraycopy(piece, 0, longer, 0, piece.length);
      System.arraycopy(joined, 0, longer, piece.length, joined.length);
      joined = longer;
      // One token always spells itself; more only when a token covers them all.
      if (k == 1 || spelled(joined)) {
        removed = joined;
        back = k;
      }
    }
    if (back == 0) {
      return new Plan(tokens, NONE);
    }
    int[] out = new int[tokens.length - back];
    System.arraycopy(tokens, 0, out, 0, cursorEnd - back);
    System.arraycopy(tokens, cursorEnd, out, cursorEnd - back, tokens.length - cursorEnd);
    return new Plan(out, removed);
  }

  /** Whether some token's bytes start with all of {@code removed}. */
  private boolean spelled(byte[] removed) {
    for (byte[] b : bytes) {
      if (b.length >= removed.length
          && Arrays.equals(b, 0, removed.length, removed, 0, removed.length)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The most likely token that starts with all of {@code removed}. There is always one: the removed
   * token itself.
   */
  int choose(float[] logits, byte[] removed) {
    int best = -1;
    for (int id = 0; id < bytes.length && id < logits.length; id++) {
      byte[] b = bytes[id];
      if (b.length >= removed.length
          && (best < 0 || logits[id] > logits[best])
          && Arrays.equals(b, 0, removed.length, removed, 0, removed.length)) {
        best = id;
      }
    }
    return best;
  }

  byte[] bytes(int token) {
    return bytes[token];
  }

  private static int indexOf(byte[] a, byte b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
