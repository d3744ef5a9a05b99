package dev.cromwell.engine.model;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes several sessions together: one step appends one token to each of up to {@link #capacity}
 * sessions of the same model, in one pass over the weights, and returns the logits after each. The
 * sessions keep their own KV caches and positions, so they may be at any point of their own
 * conversations; a session can join or leave between steps. Used by one thread at a time.
 */
public final class DecodeBatch {
  private final Model model;
  private final int capacity;
  private final BatchState batch;
  private final float[][] logits;
  private final float[][] single = new float[1][];
  private final int[] tokens;
  private final int[] positions;
  private final KvCache[] caches;
  private final ForwardState[] states;

  public DecodeBatch(Model model, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a decode batch needs room for at least one session");
    }
    this.model = model;
    this.capacity = capacity;
    ModelConfig c = model.config();
    this.batch = new BatchState(c, capacity);
    this.logits = new float[capacity][c.vocabularySize()];
    this.tokens = new int[capacity];
    this.positions = new int[capacity];
    this.caches = new KvCache[capacity];
    this.states = new ForwardState[capacity];
  }

  public int capacity() {
    return capacity;
  }

  /**
   * Appends {@code next[i]} to {@code sessions.get(i)} for every session and returns the logits
   * after each: {@code result[i]} belongs to session {@code i}. The arrays are reused by the next
   * step, so read them first.
   *
   * @throws IllegalArgumentException for more sessions than the capacity, a session of another
   *     model, the same session twice or a token outside the vocabulary
   * @throws IllegalStateException when a session's context is full
   */
  public float[][] step(List<Session> sessions, int[] next) {
    int count = sessions.size();
    if (count < 1 || count > capacity || next.length < count) {
      throw new IllegalArgumentException(
          "a step takes 1.." + capacity + " sessions and a token for each, got " + count);
    }
    Map<Session, Boolean> seen = new IdentityHashMap<>();
    for (int t = 0; t < count; t++) {
      Session s = sessions.get(t);
      if (s.model() != model) {
        throw new IllegalArgumentException("session " + t + " belongs to another model");
      }
      if (seen.put(s, Boolean.TRUE) != null) {
        throw new IllegalArgumentException("session " + t + " appears twice in one step");
      }
      s.checkNext(next[t]);
      tokens[t] = next[t];
      positions[t] = s.length();
      caches[t] = s.cache();
      states[t] = s.state();
    }
    if (count == 1) {
      // A session alone decodes with the one-token (matrix-vector) kernels: at one row they are
      // about 3x faster than the batched ones (benchmarks/batching.sh on the 0.5B: 27 against 9
      // tokens/s), so a lone request or completion runs as fast as `cromwell generate`.
      single[0] = sessions.get(0).next(next[0]);
      return single;
    }
    model.enter();
    try {
      model.transformer().forwardRows(batch, count, tokens, caches, positions, states, logits);
    } catch (InternalError fault) {
      throw new ModelFileChangedException(model.file().path(), fault);
    } finally {
      model.exit();
    }
    for (int t = 0; t < count; t++) {
      sessions.get(t).appended(tokens[t]);
      caches[t] = null;
      states[t] = null;
    }
    return logits;
  }
}
