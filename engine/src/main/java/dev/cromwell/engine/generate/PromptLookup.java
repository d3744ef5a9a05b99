package dev.cromwell.engine.generate;

import java.util.Arrays;

/**
 * Proposes draft tokens by prompt lookup: find the latest earlier place where the text's last n
 * tokens occurred (longest n first) and propose the tokens that followed there. Edits and long
 * completions copy much of their input, so these drafts are often right.
 *
 * <p>While the text goes on copying the place the last draft came from, the next draft continues
 * from there without a search: an edit copies long stretches of its input, and a search for the
 * last few tokens can jump to a later repeat of them ({@code " return "}) that goes on differently.
 */
final class PromptLookup implements DraftSource {
  private static final int[] NONE = new int[0];

  private final Speculation settings;

  /** Where the last draft was copied from and the position it was proposed for; -1 before any. */
  private int copiedFrom = -1;

  private int copiedTo = -1;

  PromptLookup(Speculation settings) {
    this.settings = settings;
  }

  @Override
  public int maxDraft() {
    return settings.maxDraft();
  }

  @Override
  public int[] draft(int[] tokens, int length, int limit) {
    int most = Math.min(limit, settings.maxDraft());
    if (most <= 0) {
      return NONE;
    }
    int from = continued(tokens, length);
    if (from < 0) {
      from = search(tokens, length);
    }
    if (from < 0) {
      copiedFrom = -1;
      return NONE;
    }
    copiedFrom = from;
    copiedTo = length;
    int[] draft = Arrays.copyOfRange(tokens, from, from + Math.min(most, length - from));
    if (draft.length < most) {
      // The copy reaches the end of the text: the text repeats its last length - from tokens, so
      // the draft goes on repeating them (a list, a loop, the same line again).
      draft = Arrays.copyOf(draft, most);
      for (int i = length - from; i < most; i++) {
        draft[i] = draft[i - (length - from)];
      }
    }
    return draft;
  }

  /**
   * Where the last copy goes on, if everything since the position its draft was proposed for
   * follows the place it was copied from token for token; else -1.
   */
  private int continued(int[] tokens, int length) {
    if (copiedFrom < 0 || copiedTo > length) {
      return -1;
    }
    int since = length - copiedTo;
    int from = copiedFrom + since;
    if (since == 0 || from >= length || !matches(tokens, copiedFrom, copiedTo, since)) {
      return -1;
    }
    return from;
  }

  /** Where the tokens after the latest earlier occurrence of the longest suffix start; else -1. */
  private int search(int[] tokens, int length) {
    for (int n = Math.min(settings.maxNgram(), length - 1); n >= settings.minNgram(); n--) {
      int suffix = length - n;
      // Latest match first: it is the most likely to continue the same way.
      for (int start = suffix - 1; start >= 0; start--) {
        if (matches(tokens, start, suffix, n)) {
          return start + n;
        }
      }
    }
    return -1;
  }

  private static boolean matches(int[] tokens, int a, int b, int n) {
    for (int i = 0; i < n; i++) {
      if (tokens[a + i] != tokens[b + i]) {
        return false;
      }
    }
    return true;
  }
}
