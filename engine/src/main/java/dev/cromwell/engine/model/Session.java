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
  private BatchState batch;
  private int lastReused;
  private int lastComputed;

  Session(Model model) {
    this.model = model;
    ModelConfig c = model.config();
    this.cache = new KvCache(c.blockCount(), c.kvDim(), model.contextLength(), model.kvPrecision());
    this.state = new ForwardState(c);
  }

  /**
   * Makes the session hold exactly {@code prompt} and returns the logits after its last token.
   * Positions shared with the previous prompt are reused.
   *
   * @throws CancellationException if {@code cancelled} becomes true between two tokens
   */
  public float[] prefill(int[] prompt, BooleanSupplier cancelled) {
    return prefillPart(prompt, Integer.MAX_VALUE, cancelled);
  }

  /**
   * {@link #prefill}, but computing at most {@code maxTokens} of the prompt's uncached tokens:
   * returns the logits after its last token once the whole prompt is in the session, else null, and
   * the next call with the same prompt goes on where this one stopped. Parts are made of whole
   * {@link Model#prefillChunk() chunks} from where the cache ends, so a prompt fed part by part is
   * computed in the same chunks as in one call. {@link #lastReused} and {@link #lastComputed}
   * describe the last call.
   */
  public float[] prefillPart(int[] prompt, int maxTokens, BooleanSupplier cancelled) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt is empty");
    }
    if (prompt.length > cache.maxPositions()) {
      throw new ContextFullException(prompt.length, cache.maxPositions());
    }
    // The last prompt token must run again to produce logits, even when fully cached.
    int keep = reusable(prompt);
    truncate(keep);
    lastReused = keep;
    float[] logits = null;
    int chunk = model.prefillChunk();
    int end = (int) Math.min(prompt.length, (long) keep + Math.max(1, maxTokens));
    for (int i = keep; i < end; i += chunk) {
      if (cancelled.getAsBoolean()) {
        throw new CancellationException("cancelled during the prompt");
      }
      int count = Math.min(chunk, prompt.length - i);
      model.enter();
      try {
        logits =
            count == 1
                ? step(prompt[i], i + count == prompt.length)
                : steps(prompt, i, count, i + count == prompt.length);
      } catch (InternalError fault) {
        throw new ModelFileChangedException(model.file().path(), fault);
      } finally {
        model.exit();
      }
    }
    lastComputed = history.size() - keep;
    return history.size() == prompt.length ? logits : null;
  }

  /** Appends one token and returns the logits that follow it. */
  public float[] next(int token) {
    if (history.size() >= cache.maxPositions()) {
      throw new IllegalStateException("context is full (" + cache.maxPositions() + " positions)");
    }
    model.enter();
    try {
      return step(token, true);
    } catch (InternalError fault) {
      throw new ModelFileChangedException(model.file().path(), fault);
    } finally {
      model.exit();
    }
  }

  /**
   * Appends {@code tokens} in one batched pass and writes the logits after each of them to the
   * caller's {@code rows} (at least {@code tokens.length} of a vocabulary each; {@link #rows}):
   * {@code rows[i]} follows {@code tokens[i]}. With {@link #truncate} this verifies draft tokens:
   * keep what decoding would have chosen, drop the rest. The rows are the caller's because a pass
   * as long as a prefill chunk needs tens of megabytes of them, which the session should not keep.
   *
   * @return {@code rows}
   */
  public float[][] extend(int[] tokens, float[][] rows) {
    int count = tokens.length;
    checkPass(count);
    if (rows.length < count) {
      throw new IllegalArgumentException(count + " tokens need as many rows, got " + rows.length);
    }
    if (history.size() + count > cache.maxPositions()) {
      throw new IllegalStateException("context is full (" + cache.maxPositions() + " positions)");
    }
    // As prefillPart: the model may not be closed under the pass, and a file changed under the
    // mapping is named, not a crash.
    model.enter();
    try {
      steps(tokens, 0, count, false);
      model.transformer().batchLogits(batch, count, rows);
    } catch (InternalError fault) {
      throw new ModelFileChangedException(model.file().path(), fault);
    } finally {
      model.exit();
    }
    return rows;
  }

  private void checkPass(int count) {
    if (count == 0 || count > model.prefillChunk()) {
      throw new IllegalArgumentException(
          "extend takes 1.." + model.prefillChunk() + " tokens, got " + count);
    }
  }

  /** {@code count} rows of a vocabulary of logits each, for {@link #extend}. */
  public float[][] rows(int count) {
    return new float[count][model.config().vocabularySize()];
  }

  /** Runs {@code count} prompt tokens as one batch. */
  private float[] steps(int[] tokens, int from, int count, boolean wantLogits) {
    for (int i = from; i < from + count; i++) {
      checkToken(tokens[i]);
    }
    if (batch == null || batch.capacity < count) {
      batch = new BatchState(model.config(), Math.max(count, model.prefillChunk()));
    }
    int start = history.size();
    float[] logits =
        model
            .transformer()
            .forwardBatch(state, batch, cache, tokens, from, count, start, wantLogits);
    for (int i = from; i < from + count; i++) {
      history.add(tokens[i]);
    }
    return logits;
  }

  private void checkToken(int token) {
    if (token < 0 || token >= model.config().vocabularySize()) {
      throw new IllegalArgumentException(
          "token id "
              + token
              + " is outside the vocabulary (0.."
              + (model.config().vocabularySize() - 1)
              + ")");
    }
  }

  private float[] step(int token, boolean wantLogits) {
    checkToken(token);
    int pos = history.size();
    float[] logits = model.transformer().forward(state, cache, token, pos, wantLogits);
    history.add(token);
    return logits;
  }

  /** Checks that one more token fits and is a token; what {@link DecodeBatch} asks of each row. */
  void checkNext(int token) {
    if (history.size() >= cache.maxPositions()) {
      throw new IllegalStateException("context is full (" + cache.maxPositions() + " positions)");
    }
    checkToken(token);
  }

  KvCache cache() {
    return cache;
  }

  ForwardState state() {
    return state;
  }

  /** Records a token whose keys and values a batched decode step has just cached. */
  void appended(int token) {
    history.add(token);
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

  /**
   * How many of {@code prompt}'s tokens a {@link #prefillPart} would take from this session's cache
   * instead of computing: the common prefix, less the last prompt token, which always runs.
   */
  public int reusable(int[] prompt) {
    return Math.min(commonPrefix(prompt), prompt.length - 1);
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
