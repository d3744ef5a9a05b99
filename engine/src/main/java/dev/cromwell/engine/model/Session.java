package dev.cromwell.engine.model;

import dev.cromwell.engine.tokenizer.IntList;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * One conversation with the model: the tokens seen so far and their KV cache. Feeding a new prompt
 * keeps the longest common prefix with what is cached and computes only the rest, which is what
 * makes completion-as-you-type cheap. A session is used by one thread at a time.
 */
public final class Session {
  private final Model model;
  private final KvCache cache;
  private final ForwardState state;
  private final IntList history = new IntList();
  private int lastReused;
  private int lastComputed;

  Session(Model model) {
    this.model = model;
    ModelConfig c = model.config();
    this.cache = new KvCache(c.blockCount(), c.kvDim(), model.contextLength());
    this.state = new ForwardState(c);
  }

  /**
   * Makes the session hold exactly {@code prompt} and returns the logits after its last token.
   * Positions shared with the previous prompt are reused.
   *
   * @throws CancellationException if {@code cancelled} becomes true between two tokens
   */
  public float[] prefill(int[] prompt, BooleanSupplier cancelled) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt is empty");
    }
    if (prompt.length > cache.maxPositions()) {
      throw new IllegalArgumentException(
          "the prompt has "
              + prompt.length
              + " tokens but the context holds "
              + cache.maxPositions()
              + "; shorten it or raise --context");
    }
    int common = commonPrefix(prompt);
    // The last prompt token must run again to produce logits, even when fully cached.
    int keep = Math.min(common, prompt.length - 1);
    truncate(keep);
    lastReused = keep;
    lastComputed = prompt.length - keep;
    float[] logits = null;
    for (int i = keep; i < prompt.length; i++) {
      if (cancelled.getAsBoolean()) {
        throw new CancellationException("cancelled during the prompt");
      }
      logits = step(prompt[i], i == prompt.length - 1);
    }
    return logits;
  }

  /** Appends one token and returns the logits that follow it. */
  public float[] next(int token) {
    if (history.size() >= cache.maxPositions()) {
      throw new IllegalStateException("context is full (" + cache.maxPositions() + " positions)");
    }
    return step(token, true);
  }

  private float[] step(int token, boolean wantLogits) {
    if (token < 0 || token >= model.config().vocabularySize()) {
      throw new IllegalArgumentException(
          "token id "
              + token
              + " is outside the vocabulary (0.."
              + (model.config().vocabularySize() - 1)
              + ")");
    }
    int pos = history.size();
    float[] logits = model.transformer().forward(state, cache, token, pos, wantLogits);
    history.add(token);
    return logits;
  }

  /** Forgets everything after the first {@code positions} tokens. */
  public void truncate(int positions) {
    cache.truncate(positions);
    int[] kept = Arrays.copyOf(history.toArray(), positions);
    history.clear();
    history.addAll(kept);
  }

  private int commonPrefix(int[] prompt) {
    int n = Math.min(prompt.length, history.size());
    int i = 0;
    while (i < n && history.get(i) == prompt[i]) {
      i++;
    }
    return i;
  }

  /** Tokens currently held. */
  public int[] tokens() {
    return history.toArray();
  }

  public int length() {
    return history.size();
  }

  /** Prompt tokens the last {@link #prefill} took from the cache. */
  public int lastReused() {
    return lastReused;
  }

  /** Prompt tokens the last {@link #prefill} computed. */
  public int lastComputed() {
    return lastComputed;
  }

  public Model model() {
    return model;
  }

  public long cacheBytes() {
    return cache.bytes();
  }
}
