package dev.cromwell.engine.generate;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks tokens from logits: repetition penalty, then greedy or top-k → top-p → min-p → temperature
 * → a seeded random draw.
 */
public final class Sampler {
  private final SamplerSettings settings;
  private final Random random;

  public Sampler(SamplerSettings settings) {
    this.settings = settings;
    this.random = new Random(settings.seed());
  }

  /**
   * Picks the next token. {@code logits} may be modified (the penalty is applied in place).
   *
   * @param recent tokens seen so far, most recent last; the penalty reads the last window of them
   */
  public int sample(float[] logits, int[] recent) {
    applyRepeatPenalty(logits, recent);
    if (settings.temperature() <= 0) {
      return argmax(logits);
    }
    int[] candidates = topCandidates(logits, settings.topK());
    // Softmax at temperature over the candidates (sorted by logit, highest first).
    double max = logits[candidates[0]];
    double[] probabilities = new double[candidates.length];
    double sum = 0;
    for (int i = 0; i < candidates.length; i++) {
      probabilities[i] = Math.exp((logits[candidates[i]] - max) / settings.temperature());
      sum += probabilities[i];
    }
    int keep = candidates.length;
    double cumulative = 0;
    for (int i = 0; i < candidates.length; i++) {
      double p = probabilities[i] / sum;
      cumulative += p;
      if (p < settings.minP() * (probabilities[0] / sum)) {
        keep = Math.max(1, i);
        break;
      }
      if (cumulative >= settings.topP()) {
        keep = i + 1;
        break;
      }
    }
    double kept = 0;
    for (int i = 0; i < keep; i++) {
      kept += probabilities[i];
    }
    double r = random.nextDouble() * kept;
    for (int i = 0; i < keep; i++) {
      r -= probabilities[i];
      if (r <= 0) {
        return candidates[i];
      }
    }
    return candidates[keep - 1];
  }

  private void applyRepeatPenalty(float[] logits, int[] recent) {
    float penalty = settings.repeatPenalty();
    if (penalty == 1f || recent.length == 0 || settings.repeatWindow() == 0) {
      return;
    }
    int from = Math.max(0, recent.length - settings.repeatWindow());
    int[] seen = Arrays.copyOfRange(recent, from, recent.length);
    Arrays.sort(seen);
    for (int i = 0; i < seen.length; i++) {
      if (i > 0 && seen[i] == seen[i - 1]) {
        continue; // penalize each token once, however often it appeared
      }
      int t = seen[i];
      if (t >= 0 && t < logits.length) {
        logits[t] = logits[t] > 0 ? logits[t] / penalty : logits[t] * penalty;
      }
    }
  }

  /**
   * Index of the largest logit; the lowest index wins ties, so greedy decoding is deterministic.
   */
  public static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  /** The k highest logits' indices, highest first (all of them when k is 0). */
  public static int[] topCandidates(float[] logits, int k) {
    int n = logits.length;
    if (k <= 0 || k >= n) {
      Integer[] all = new Integer[n];
      for (int i = 0; i < n; i++) {
        all[i] = i;
      }
      Arrays.sort(
          all,
          (a, b) ->
              logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
      return Arrays.stream(all).mapToInt(Integer::intValue).toArray();
    }
    // Insertion into a small sorted array: k is small (tens), n is the vocabulary.
    int[] top = new int[k];
    int size = 0;
    for (int i = 0; i < n; i++) {
      float v = logits[i];
      if (size == k && v <= logits[top[k - 1]]) {
        continue;
      }
      int at = size < k ? size++ : k - 1;
      while (at > 0 && logits[top[at - 1]] < v) {
        top[at] = top[at - 1];
        at--;
      }
      top[at] = i;
    }
    return top;
  }
}
