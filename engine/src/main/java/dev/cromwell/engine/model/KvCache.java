package dev.cromwell.engine.model;

import dev.cromwell.kernels.Half;
import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.layouts.KvRows;
import dev.cromwell.kernels.ops.Attention;
import dev.cromwell.kernels.ops.AttentionOptions;
import java.util.Arrays;

/**
 * Keys and values of every layer for the positions seen so far, in float32 or (half the memory)
 * IEEE half precision: keys channel by channel ({@code [layer][kvHead · headDim][position]}, so
 * attention scores need no horizontal sums) and values position by position ({@code
 * [layer][position][kvHead · headDim]}); see {@link KvRows}. Grows by doubling up to the context
 * length, so a short session does not reserve memory for the whole context.
 */
public final class KvCache {
  /** How cached keys and values are stored. */
  public enum Precision {
    F32,
    F16
  }

  private static final int INITIAL_POSITIONS = 256;

  private final int kvDim;
  private final int maxPositions;
  private final Precision precision;
  private final float[][] keys;
  private final float[][] values;
  private final short[][] halfKeys;
  private final short[][] halfValues;
  private int capacity;
  private int length;

  public KvCache(int layers, int kvDim, int maxPositions) {
    this(layers, kvDim, maxPositions, Precision.F32);
  }

  public KvCache(int layers, int kvDim, int maxPositions, Precision precision) {
    this.kvDim = kvDim;
    this.maxPositions = maxPositions;
    this.precision = precision;
    this.capacity = Math.min(INITIAL_POSITIONS, maxPositions);
    boolean half = precision == Precision.F16;
    this.keys = half ? null : new float[layers][capacity * kvDim];
    this.values = half ? null : new float[layers][capacity * kvDim];
    this.halfKeys = half ? new short[layers][capacity * kvDim] : null;
    this.halfValues = half ? new short[layers][capacity * kvDim] : null;
  }

  /** Number of positions cached. */
  public int length() {
    return length;
  }

  public int maxPositions() {
    return maxPositions;
  }

  public Precision precision() {
    return precision;
  }

  /** Keeps the first {@code positions} entries and forgets the rest (prefix reuse). */
  public void truncate(int positions) {
    if (positions < 0 || positions > length) {
      throw new IllegalArgumentException(
          "cannot truncate " + length + " positions to " + positions);
    }
    length = positions;
  }

  /** Stores key and value of {@code layer} at position {@code pos}. */
  public void store(int layer, int pos, float[] key, float[] value) {
    if (pos >= maxPositions) {
      throw new IllegalStateException(
          "context is full: position " + pos + " is beyond the context length " + maxPositions);
    }
    ensureCapacity(pos + 1);
    int at = pos * kvDim;
    if (precision == Precision.F16) {
      for (int i = 0; i < kvDim; i++) {
        halfKeys[layer][i * capacity + pos] = Half.fromFloat(key[i]);
        halfValues[layer][at + i] = Half.fromFloat(value[i]);
      }
    } else {
      for (int i = 0; i < kvDim; i++) {
        keys[layer][i * capacity + pos] = key[i];
      }
      System.arraycopy(value, 0, values[layer], at, kvDim);
    }
  }

  /** Marks position {@code pos} as complete in every layer. */
  public void commit(int pos) {
    length = pos + 1;
  }

  /** Attention of {@code q} (all heads) over the first {@code positions} entries of a layer. */
  public void attend(
      int layer,
      float[] q,
      int positions,
      int heads,
      int kvHeads,
      int headDim,
      AttentionOptions options,
      float[] out,
      float[] scores,
      WorkerPool pool) {
    Attention.attend(
        q, rows(layer), positions, heads, kvHeads, headDim, options, out, scores, pool);
  }

  /**
   * Attention of {@code count} consecutive prompt positions {@code start..start+count)} of a layer,
   * each over the entries up to its own (their keys and values already stored).
   */
  public void attendBatch(
      int layer,
      float[][] queries,
      int count,
      int start,
      int heads,
      int kvHeads,
      int headDim,
      AttentionOptions options,
      float[][] outs,
      WorkerPool pool) {
    Attention.attendBatch(
        queries, count, start, rows(layer), heads, kvHeads, headDim, options, outs, pool);
  }

  private KvRows rows(int layer) {
    return precision == Precision.F16
        ? new KvRows.F16(halfKeys[layer], halfValues[layer], capacity, kvDim)
        : new KvRows.F32(keys[layer], values[layer], capacity, kvDim);
  }

  /** Bytes currently reserved. */
  public long bytes() {
    int layers = precision == Precision.F16 ? halfKeys.length : keys.length;
    int width = precision == Precision.F16 ? 2 : Float.BYTES;
    return 2L * layers * capacity * kvDim * width;
  }

  private void ensureCapacity(int positions) {
    if (positions <= capacity) {
      return;
    }
    int grown = Math.min(maxPositions, Math.max(positions, capacity * 2));
    int layers = precision == Precision.F16 ? halfKeys.length : keys.length;
    for (int l = 0; l < layers; l++) {
      // Key channels are `capacity` apart, so each channel moves to its new place.
      if (precision == Precision.F16) {
        short[] moved = new short[grown * kvDim];
        for (int c = 0; c < kvDim; c++) {
          System.arraycopy(halfKeys[l], c * capacity, moved, c * grown, capacity);
        }
        halfKeys[l] = moved;
        halfValues[l] = Arrays.copyOf(halfValues[l], grown * kvDim);
      } else {
        float[] moved = new float[grown * kvDim];
        for (int c = 0; c < kvDim; c++) {
          System.arraycopy(keys[l], c * capacity, moved, c * grown, capacity);
        }
        keys[l] = moved;
        values[l] = Arrays.copyOf(values[l], grown * kvDim);
      }
    }
    capacity = grown;
  }
}
