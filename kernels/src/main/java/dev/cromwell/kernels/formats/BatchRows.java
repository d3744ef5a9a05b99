package dev.cromwell.kernels.formats;

import java.util.Arrays;

/**
 * The activation rows of one multi-row product (a decode step over several sequences, a short
 * prompt chunk) in the forms the multi-row kernels ({@link WeightFormat#dotRowsBatch}) read: x
 * reordered and pre-scaled for the grouped layouts ({@link OrderedNibbles}), Σx per block, Σx per
 * eight. A format asks for its forms in {@link WeightFormat#prepareBatch}, on the calling thread,
 * once per product; the one-row kernels make theirs once per chunk of weight rows, which for eight
 * rows would cost more than the product itself. The kernels only read them, from any thread.
 *
 * <p>One instance per calling thread is reused from product to product, so its arrays only grow.
 */
public final class BatchRows {
  private float[][] xs = new float[0][];
  private int count;
  private int cols;
  private float[][] placeX = new float[0][];
  private float[][] byteFieldX = new float[0][];
  private float[][] blockSums = new float[0][];
  private float[][] eightSums = new float[0][];
  private boolean havePlaceX;
  private boolean haveByteFieldX;
  private boolean haveBlockSums;
  private boolean haveEightSums;

  /** Takes rows {@code xs[0..count)} of {@code cols} values; every derived form is made anew. */
  public BatchRows of(float[][] xs, int count, int cols) {
    if (count < 1 || count > xs.length) {
      throw new IllegalArgumentException("count " + count + " outside 1.." + xs.length);
    }
    this.xs = xs;
    this.count = count;
    this.cols = cols;
    havePlaceX = false;
    haveByteFieldX = false;
    haveBlockSums = false;
    haveEightSums = false;
    return this;
  }

  public int count() {
    return count;
  }

  public int cols() {
    return cols;
  }

  /** Row {@code t} as given. */
  public float[] x(int t) {
    return xs[t];
  }

  /** Row {@code t} in the grouped layouts' order, nibble k's x scaled by 16^-k. */
  float[] placeX(int t) {
    return placeX[t];
  }

  /** Row {@code t} in the grouped layouts' order, scaled for 8-bit fields (Q5_0, Q5_1, Q6_K). */
  float[] byteFieldX(int t) {
    return byteFieldX[t];
  }

  /** Σx of each block of 32 of row {@code t}, zero past the last block. */
  float[] blockSums(int t) {
    return blockSums[t];
  }

  /** −32·Σx of each run of eight of row {@code t} (Q6_K's zero level). */
  float[] eightSums(int t) {
    return eightSums[t];
  }

  void needPlaceX() {
    if (!havePlaceX) {
      placeX = grow(placeX, cols);
      for (int t = 0; t < count; t++) {
        OrderedNibbles.fillOrdered(xs[t], cols, OrderedNibbles.PLACE_VALUES, placeX[t]);
      }
      havePlaceX = true;
    }
  }

  void needByteFieldX() {
    if (!haveByteFieldX) {
      byteFieldX = grow(byteFieldX, cols);
      for (int t = 0; t < count; t++) {
        OrderedNibbles.fillOrdered(xs[t], cols, OrderedNibbles.BYTE_FIELD_VALUES, byteFieldX[t]);
      }
      haveByteFieldX = true;
    }
  }

  void needBlockSums() {
    if (!haveBlockSums) {
      int blocks = cols / OrderedNibbles.BLOCK;
      int length = OrderedNibbles.blockArrayLength(cols);
      blockSums = grow(blockSums, length);
      for (int t = 0; t < count; t++) {
        OrderedNibbles.fillBlockSums(xs[t], blocks, blockSums[t]);
        Arrays.fill(blockSums[t], blocks, length, 0f);
      }
      haveBlockSums = true;
    }
  }

  void needEightSums(float factor) {
    if (!haveEightSums) {
      eightSums = grow(eightSums, cols / 8);
      for (int t = 0; t < count; t++) {
        OrderedNibbles.fillEightSums(xs[t], cols, factor, eightSums[t]);
      }
      haveEightSums = true;
    }
  }

  /** {@code arrays} with at least {@link #count} rows of at least {@code length} floats. */
  private float[][] grow(float[][] arrays, int length) {
    float[][] grown = arrays.length >= count ? arrays : Arrays.copyOf(arrays, count);
    for (int t = 0; t < count; t++) {
      if (grown[t] == null || grown[t].length < length) {
        grown[t] = new float[length];
      }
    }
    return grown;
  }
}
