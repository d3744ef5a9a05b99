package dev.cromwell.engine.model;

import java.util.Arrays;

/**
 * Keys and values of every layer for the positions seen so far, laid out {@code
 * [layer][position][kvHead · headDim]}. Grows by doubling up to the context length, so a short
 * session does not reserve memory for the whole context.
 */
public final class KvCache {
  private static final int INITIAL_POSITIONS = 256;

  private final int kvDim;
  private final int maxPositions;
  private final float[][] keys;
  private final float[][] values;
  private int capacity;
  private int length;

  public KvCache(int layers, int kvDim, int maxPositions) {
    this.kvDim = kvDim;
    this.maxPositions = maxPositions;
    this.capacity = Math.min(INITIAL_POSITIONS, maxPositions);
    this.keys = new float[layers][capacity * kvDim];
    this.values = new float[layers][capacity * kvDim];
  }

  /** Number of positions cached. */
  public int length() {
    return length;
  }

  public int maxPositions() {
    return maxPositions;
  }

  /** Keeps the first {@code positions} entries and forgets the rest (prefix reuse). */
  public void truncate(int positions) {
    if (positions < 0 || positions > length) {
      throw new IllegalArgumentException(
          "cannot truncate " + length + " positions to " + positions);
    }
    length = positions;
  }

  /** Stores key and value of {@code layer} at position {@code pos} (which must be the next one). */
  public void store(int layer, int pos, float[] key, float[] value) {
    if (pos >= maxPositions) {
      throw new IllegalStateException(
          "context is full: position " + pos + " is beyond the context length " + maxPositions);
    }
    ensureCapacity(pos + 1);
    System.arraycopy(key, 0, keys[layer], pos * kvDim, kvDim);
    System.arraycopy(value, 0, values[layer], pos * kvDim, kvDim);
  }

  /** Marks position {@code pos} as complete in every layer. */
  public void commit(int pos) {
    length = pos + 1;
  }

  public float[] keys(int layer) {
    return keys[layer];
  }

  public float[] values(int layer) {
    return values[layer];
  }

  /** Bytes currently reserved. */
  public long bytes() {
    return 2L * keys.length * capacity * kvDim * Float.BYTES;
  }

  private void ensureCapacity(int positions) {
    if (positions <= capacity) {
      return;
    }
    int grown = Math.min(maxPositions, Math.max(positions, capacity * 2));
    for (int l = 0; l < keys.length; l++) {
      keys[l] = Arrays.copyOf(keys[l], grown * kvDim);
      values[l] = Arrays.copyOf(values[l], grown * kvDim);
    }
    capacity = grown;
  }
}
