package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.natives.Prefetch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q6_K weights rearranged at load time for decoding: the numbers of GGML's Q6_K (weight = d·sc·(q −
 * 32) per sub-block of 16, q of 6 bits) in an order that takes fewer instructions per weight. Q6_K
 * is what llama.cpp's "Q4_K_M" and "Q5_K_M" files use for the output matrix and for half of {@code
 * ffn_down} and {@code attn_v}, wherever rows fill 256-weight super-blocks.
 *
 * <p>A row of {@code n} weights ({@code S = n / 256} super-blocks) holds S F16 d, then the 16S
 * signed sub-block scales sc, zeros to the next multiple of 64 bytes, then the high two bits of
 * every weight — a 16-bit word per eight weights, the bits of weight k of the eight at {@link
 * #HIGH_SHIFTS}[k] — and then the low nibbles in order ({@link OrderedNibbles}).
 *
 * <p>The kernel reads a lane of eight nibbles and its word of high bits, and builds two ints of
 * four 8-bit fields of 6 bits (even and odd weights) as {@link FiveBitGroupedFormat} does for 5
 * bits. The word's order makes that three operations: with {@code hh = h | h << 14} the even
 * weights' bits sit at bits 4, 12, 20 and 28 of {@code hh} and the odd ones' at those of {@code hh
 * << 4}. The −32 comes out through x: the kernel starts each lane's sum at −32·Σx of its eight
 * weights, so it is scaled with them. The field loop is {@link FiveBitGroupedFormat}'s with 6-bit
 * masks, written out again on purpose: the grouped kernels measured 4–20% slower through shared
 * per-row methods (docs/PERFORMANCE.md).
 */
final class Q6_KGroupedFormat extends RearrangedRows {
  public static final Q6_KGroupedFormat INSTANCE = new Q6_KGroupedFormat();

  private static final int SUPER = 256;
  private static final int SUB_BLOCK = 16;
  private static final int GGML_SUPER_BYTES = 210;

  /** Where the high two bits of weight k of eight sit in their 16-bit word. */
  static final int[] HIGH_SHIFTS = {4, 0, 12, 8, 6, 2, 14, 10};

  /** The level that stands for zero. */
  private static final int ZERO_LEVEL = 32;

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int LANES = F.length();
  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;
  private static final VectorSpecies<Short> HALVES = VectorWidth.SHORT_PER_FLOAT;

  /** The high bits' places after the spreading: bits 4–5 of each byte. */
  private static final int HIGH_FIELDS = 0x30303030;

  /** Sub-block scale j of a vector of scales to lanes 2j and 2j + 1 (two lanes = 16 weights). */
  private static final VectorShuffle<Float> SCALES_LOW = VectorShuffle.fromOp(F, lane -> lane / 2);

  private static final VectorShuffle<Float> SCALES_HIGH =
      VectorShuffle.fromOp(F, lane -> LANES / 2 + lane / 2);

  /** The word of high bits of weight {@code lane} (dequantize, first LANES weights). */
  private static final VectorShuffle<Integer> WORDS_LOW = VectorShuffle.fromOp(I, lane -> lane / 8);

  private static final VectorShuffle<Integer> WORDS_HIGH =
      VectorShuffle.fromOp(I, lane -> (LANES + lane) / 8);

  /** {@link #HIGH_SHIFTS} of each lane's weight. */
  private static final IntVector WORD_SHIFTS =
      IntVector.fromArray(I, lanes(lane -> HIGH_SHIFTS[lane % 8]), 0);

  private Q6_KGroupedFormat() {
    super(GgmlType.Q6_K, SUPER);
  }

  private static int[] lanes(java.util.function.IntUnaryOperator value) {
    int[] values = new int[LANES];
    for (int lane = 0; lane < LANES; lane++) {
      values[lane] = value.applyAsInt(lane);
    }
    return values;
  }

  /** Bytes from a row's start to its sub-block scales. */
  private static long scalesStart(int supers) {
    return 2L * supers;
  }

  /** Bytes from a row's start to its high bits: d and scales, padded to 64 bytes. */
  private static long highsStart(int supers) {
    return (18L * supers + 63) / 64 * 64;
  }

  /** Bytes from a row's start to its nibbles. */
  private static long nibbleStart(int supers) {
    return highsStart(supers) + 64L * supers;
  }

  @Override
  public long rowBytes(int n) {
    requireSupported(n);
    int supers = n / SUPER;
    return nibbleStart(supers) + 128L * supers;
  }

  /** One row: GGML's super-blocks in {@code ggml} to this layout in {@code out}. */
  @Override
  void fromGgml(byte[] ggml, byte[] out, int cols) {
    int supers = cols / SUPER;
    int scales = (int) scalesStart(supers);
    int highs = (int) highsStart(supers);
    int[] levels = new int[SUPER];
    int[] nibbles = new int[SUPER];
    for (int s = 0; s < supers; s++) {
      int block = s * GGML_SUPER_BYTES;
      out[2 * s] = ggml[block + 208];
      out[2 * s + 1] = ggml[block + 209];
      System.arraycopy(ggml, block + 192, out, scales + SUB_BLOCK * s, SUB_BLOCK);
      ggmlLevels(ggml, block, levels);
      for (int m = 0; m < SUPER; m += 8) {
        int word = 0;
        for (int k = 0; k < 8; k++) {
          word |= (levels[m + k] >>> 4) << HIGH_SHIFTS[k];
        }
        int at = highs + 2 * ((SUPER * s + m) / 8);
        out[at] = (byte) word;
        out[at + 1] = (byte) (word >>> 8);
      }
      for (int m = 0; m < SUPER; m++) {
        nibbles[m] = levels[m] & 0x0f;
      }
      OrderedNibbles.pack(nibbles, out, (int) nibbleStart(supers) + 128 * s);
    }
  }

  /**
   * The 16-bit word of high bits of eight weights ({@link #HIGH_SHIFTS}) from their 2-bit fields,
   * weight k's at bits 8k of {@code fields}: weights 1 and 5 go to bits 0–3, 0 and 4 to 4–7, 3 and
   * 7 to 8–11, 2 and 6 to 12–15.
   */
  private static int highWord(long fields) {
    return highPair(fields, 1)
        | highPair(fields, 0) << 4
        | highPair(fields, 3) << 8
        | highPair(fields, 2) << 12;
  }

  /** The fields of weights k and k + 4 (32 bits apart) side by side in 4 bits. */
  private static int highPair(long fields, int k) {
    return (int) ((fields >>> (8 * k)) | (fields >>> (8 * k + 30))) & 0xF;
  }

  @Override
  void rearrangeRow(MemorySegment ggml, long from, MemorySegment out, long at, int cols) {
    int supers = cols / SUPER;
    long highs = at + highsStart(supers);
    long nibbles = at + nibbleStart(supers);
    for (int s = 0; s < supers; s++) {
      long block = from + (long) s * GGML_SUPER_BYTES;
      out.set(Bytes.SHORT, at + 2L * s, ggml.get(Bytes.SHORT, block + 208));
      MemorySegment.copy(ggml, block + 192, out, at + scalesStart(supers) + SUB_BLOCK * s, 16);
      for (int half = 0; half < 2; half++) {
        // Weights 128·half + 32q + l: the low (q = 0, 1) or high (q = 2, 3) nibble of ql byte
        // 64·half + 32(q % 2) + l, the high bits in bits 2q of qh byte 32·half + l.
        long ql = block + 64L * half;
        long to = nibbles + 128L * s + 64L * half;
        for (int q = 0; q < 4; q++) {
          long part = ql + 32L * (q % 2);
          boolean high = q >= 2;
          GgmlWords.packNibbles(ggml, part, high, out, to + 16L * q);
          GgmlWords.packNibbles(ggml, part + 16, high, out, to + 16L * q + 8);
        }
        for (int l = 0; l < 32; l += 8) {
          long qh = ggml.get(Bytes.LONG, block + 128 + 32L * half + l);
          for (int q = 0; q < 4; q++) {
            int word = highWord((qh >>> (2 * q)) & 0x0303030303030303L);
            int m = 128 * half + 32 * q + l;
            out.set(Bytes.SHORT, highs + 64L * s + 2L * (m / 8), (short) word);
          }
        }
      }
    }
  }

  /**
   * The 6-bit levels (q + 32) of GGML's super-block at {@code block}: in each half of 128 weights,
   * ql[l] holds the low nibbles of weights l and l + 64, ql[l + 32] those of l + 32 and l + 96, and
   * qh[l] the high bits of all four.
   */
  private static void ggmlLevels(byte[] ggml, int block, int[] levels) {
    for (int half = 0; half < 2; half++) {
      int ql = block + 64 * half;
      int qh = block + 128 + 32 * half;
      for (int l = 0; l < 32; l++) {
        int low0 = ggml[ql + l] & 0xff;
        int low1 = ggml[ql + l + 32] & 0xff;
        int high = ggml[qh + l] & 0xff;
        int base = 128 * half + l;
        levels[base] = (low0 & 0x0f) | (high & 3) << 4;
        levels[base + 32] = (low1 & 0x0f) | ((high >>> 2) & 3) << 4;
        levels[base + 64] = (low0 >>> 4) | ((high >>> 4) & 3) << 4;
        levels[base + 96] = (low1 >>> 4) | ((high >>> 6) & 3) << 4;
      }
    }
  }

  @Override
  public void dotRows(
      MemorySegment w,
      long offset,
      long rowBytes,
      float[] x,
      int cols,
      float[] out,
      int from,
      int to) {
    requireSupported(cols);
    OrderedNibbles.Workspace work =
        OrderedNibbles.workspace(cols / OrderedNibbles.BLOCK)
            .withByteFieldX(x, cols)
            .withEightSums(x, cols, -ZERO_LEVEL);
    for (int start = 0; start < cols; start = ColumnTiles.end(cols, start)) {
      dotTile(w, offset, rowBytes, cols, work, out, from, to, start, ColumnTiles.end(cols, start));
    }
  }

  /**
   * Adds to {@code out[from..to)} the dot products of columns {@code [start, end)} of those rows
   * with x (sets them, for the tile at column 0): the whole row, or a {@link ColumnTiles} tile.
   */
  private static void dotTile(
      MemorySegment w,
      long offset,
      long rowBytes,
      int cols,
      OrderedNibbles.Workspace work,
      float[] out,
      int from,
      int to,
      int start,
      int end) {
    int supers = cols / SUPER;
    float[] fieldX = work.byteFieldX;
    float[] eightSums = work.eightSums;
    float[] laneScales = work.laneScales;
    long highs = highsStart(supers);
    long nibbles = nibbleStart(supers);
    boolean strided = ColumnTiles.prefetches(w, cols, start, end);
    long prefetched = strided ? 0 : Prefetch.start(w, offset + from * rowBytes);
    for (int r = from; r < to; r++) {
      prefetched = Prefetch.ahead(prefetched, w, offset + r * rowBytes);
      if (strided && r + ColumnTiles.AHEAD < to) {
        long next = offset + (r + ColumnTiles.AHEAD) * rowBytes;
        ColumnTiles.prefetch(w, next + nibbles + start / 2, (end - start) / 2);
        ColumnTiles.prefetch(w, next + highs + start / 4, (end - start) / 4);
      }
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      decodeScales(row, supers, start, end, laneScales);
      FloatVector even = FloatVector.zero(F);
      FloatVector odd = FloatVector.zero(F);
      // One vector of nibbles holds 8 weights per lane, LANES words their high bits.
      for (int v = start / (8 * LANES); v < end / (8 * LANES); v++) {
        IntVector q =
            IntVector.fromMemorySegment(I, row, nibbles + 4L * LANES * v, ByteOrder.LITTLE_ENDIAN);
        IntVector h =
            (IntVector)
                ShortVector.fromMemorySegment(
                        HALVES, row, highs + 2L * LANES * v, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
        IntVector hh = h.or(h.lanewise(VectorOperators.LSHL, 14));
        IntVector e = q.and(0x0f0f0f0f).or(hh.and(HIGH_FIELDS));
        IntVector o =
            q.lanewise(VectorOperators.LSHR, 4)
                .and(0x0f0f0f0f)
                .or(hh.lanewise(VectorOperators.LSHL, 4).and(HIGH_FIELDS));
        int xi = 8 * LANES * v;
        FloatVector p =
            ((FloatVector) e.and(0x3f).convert(VectorOperators.I2F, 0))
                .fma(
                    FloatVector.fromArray(F, fieldX, xi),
                    FloatVector.fromArray(F, eightSums, LANES * v));
        p =
            ((FloatVector) e.and(0x3f00).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 2 * LANES), p);
        p =
            ((FloatVector) e.and(0x3f0000).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 4 * LANES), p);
        p =
            ((FloatVector) e.and(0x3f000000).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 6 * LANES), p);
        FloatVector s =
            ((FloatVector) o.and(0x3f).convert(VectorOperators.I2F, 0))
                .mul(FloatVector.fromArray(F, fieldX, xi + LANES));
        s =
            ((FloatVector) o.and(0x3f00).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 3 * LANES), s);
        s =
            ((FloatVector) o.and(0x3f0000).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 5 * LANES), s);
        s =
            ((FloatVector) o.and(0x3f000000).convert(VectorOperators.I2F, 0))
                .fma(FloatVector.fromArray(F, fieldX, xi + 7 * LANES), s);
        FloatVector d = FloatVector.fromArray(F, laneScales, LANES * v);
        even = p.fma(d, even);
        odd = s.fma(d, odd);
      }
      float dot = even.add(odd).reduceLanes(VectorOperators.ADD);
      out[r] = start == 0 ? dot : out[r] + dot;
    }
  }

  /**
   * A row's d·sc of every sub-block, each spread to the two lanes (16 weights) it covers in {@code
   * laneScales}, for the weights of columns {@code [start, end)}. LANES scales (at most 16) never
   * span two super-blocks.
   */
  private static void decodeScales(
      MemorySegment row, int supers, int start, int end, float[] laneScales) {
    long scales = scalesStart(supers);
    for (int g = start / (SUB_BLOCK * LANES); g < end / (SUB_BLOCK * LANES); g++) {
      float d = Bytes.half(row, 2L * (g * LANES / SUB_BLOCK));
      FloatVector sc =
          (FloatVector)
              ByteVector.fromMemorySegment(
                      B, row, scales + (long) LANES * g, ByteOrder.LITTLE_ENDIAN)
                  .castShape(F, 0);
      FloatVector scaled = sc.mul(d);
      scaled.rearrange(SCALES_LOW).intoArray(laneScales, 2 * LANES * g);
      scaled.rearrange(SCALES_HIGH).intoArray(laneScales, 2 * LANES * g + LANES);
    }
  }

  /**
   * Decodes whole rows ({@code offset} a row start, {@code n} the row length) as GGML computes
   * them: {@code (d·sc)·(q − 32)}, so that it equals {@link Q6_KFormat} bit for bit.
   */
  @Override
  public void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    int supers = n / SUPER;
    long scales = offset + scalesStart(supers);
    long highs = offset + highsStart(supers);
    long nibbles = offset + nibbleStart(supers);
    // LANES bytes of nibbles hold 2·LANES weights; their words are the first LANES / 4 of the
    // LANES read (the rest, read past the high bits into the nibbles, are not used).
    for (int i = 0; i < n; i += 2 * LANES) {
      float d = Bytes.half(w, offset + 2L * (i / SUPER));
      float scale0 = d * w.get(ValueLayout.JAVA_BYTE, scales + i / SUB_BLOCK);
      float scale1 = d * w.get(ValueLayout.JAVA_BYTE, scales + (i + LANES) / SUB_BLOCK);
      IntVector bytes =
          (IntVector)
              ByteVector.fromMemorySegment(B, w, nibbles + i / 2, ByteOrder.LITTLE_ENDIAN)
                  .castShape(I, 0);
      IntVector words =
          (IntVector)
              ShortVector.fromMemorySegment(HALVES, w, highs + i / 4, ByteOrder.LITTLE_ENDIAN)
                  .convertShape(VectorOperators.ZERO_EXTEND_S2I, I, 0);
      IntVector first =
          bytes
              .rearrange(OrderedNibbles.PAIRS_LOW)
              .lanewise(VectorOperators.LSHR, OrderedNibbles.NIBBLE_SHIFTS)
              .and(0x0f)
              .or(
                  words
                      .rearrange(WORDS_LOW)
                      .lanewise(VectorOperators.LSHR, WORD_SHIFTS)
                      .and(3)
                      .lanewise(VectorOperators.LSHL, 4));
      IntVector second =
          bytes
              .rearrange(OrderedNibbles.PAIRS_HIGH)
              .lanewise(VectorOperators.LSHR, OrderedNibbles.NIBBLE_SHIFTS)
              .and(0x0f)
              .or(
                  words
                      .rearrange(WORDS_HIGH)
                      .lanewise(VectorOperators.LSHR, WORD_SHIFTS)
                      .and(3)
                      .lanewise(VectorOperators.LSHL, 4));
      ((FloatVector) first.sub(ZERO_LEVEL).convert(VectorOperators.I2F, 0))
          .mul(scale0)
          .intoArray(out, outOffset + i);
      ((FloatVector) second.sub(ZERO_LEVEL).convert(VectorOperators.I2F, 0))
          .mul(scale1)
          .intoArray(out, outOffset + i + LANES);
    }
  }

  /** One weight at a time, in the same order of operations as GGML's formula. */
  @Override
  public void dequantizeReference(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    requireSupported(n);
    int supers = n / SUPER;
    long scales = offset + scalesStart(supers);
    long highs = offset + highsStart(supers);
    long nibbles = offset + nibbleStart(supers);
    for (int i = 0; i < n; i++) {
      float d = Bytes.half(w, offset + 2L * (i / SUPER));
      int word = Short.toUnsignedInt(w.get(Bytes.SHORT, highs + 2L * (i / 8)));
      int q = OrderedNibbles.nibble(w, nibbles, i) | ((word >>> HIGH_SHIFTS[i % 8]) & 3) << 4;
      out[outOffset + i] = d * w.get(ValueLayout.JAVA_BYTE, scales + i / SUB_BLOCK) * (q - 32);
    }
  }
}
