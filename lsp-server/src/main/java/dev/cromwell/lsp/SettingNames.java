package dev.cromwell.lsp;

import java.util.List;
import java.util.Locale;

/**
 * The setting keys {@link ServerConfig#apply} reads, so that a misspelt key ("modelPath") can be
 * answered with the nearest real one instead of being dropped silently.
 */
final class SettingNames {
  static final List<String> KEYS =
      List.of(
          "model",
          "threads",
          "maxTokens",
          "debounceMs",
          "contextBudget",
          "timeLimitMs",
          "memoryBudgetMb",
          "loadMode",
          "kvCache",
          "kvReuse",
          "offerDownloads",
          "disabledLanguages");

  private SettingNames() {}

  /** The message for an unknown key: what was ignored and the key that was probably meant. */
  static String unknown(String key) {
    return "Cromwell ignores the unknown setting \""
        + key
        + "\"; did you mean \""
        + nearest(key)
        + "\"? (settings: "
        + String.join(", ", KEYS)
        + ")";
  }

  /**
   * The known key closest to {@code key}: a key it starts with or contains, else by edit distance.
   */
  static String nearest(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    String best = KEYS.get(0);
    int bestScore = Integer.MAX_VALUE;
    for (String candidate : KEYS) {
      String c = candidate.toLowerCase(Locale.ROOT);
      // "modelPath" means "model": a known key inside the typed one is the strongest hint.
      int score =
          k.contains(c) || c.contains(k) ? Math.abs(k.length() - c.length()) - 100 : distance(k, c);
      if (score < bestScore) {
        bestScore = score;
        best = candidate;
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
