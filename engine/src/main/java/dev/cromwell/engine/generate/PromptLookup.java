package dev.cromwell.engine.generate;

import java.util.Arrays;

/**
 * Proposes draft tokens by prompt lookup: find the latest earlier place where the text's last n
 * tokens occurred (longest n first) and propose the tokens that followed there. Edits and long
 * completions copy much of their input, so these drafts are often right.
 */
final class PromptLookup implements DraftSource {
  private static final int[] NONE = new int[0];

  private final Speculation settings;

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
    for (int n = Math.min(settings.maxNgram(), length - 1); n >= settings.minNgram(); n--) {
      int suffix = length - n;
      // Latest match first: it is the most likely to continue the same way.
      for (int start = suffix - 1; start >= 0; start--) {
        if (matches(tokens, start, suffix, n)) {
          int from = start + n;
          int count = Math.min(most, length - from);
          return Arrays.copyOfRange(tokens, from, from + count);
        }
      }
    }
    return NONE;
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
