package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.natives.Prefetch;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_K weights rearranged at load time for decoding, like {@link FourBitGroupedFormat}: the numbers
 * of GGML's Q4_K (weight = d·scale·q − dmin·min per sub-block of 32), in an order that decodes with
 * the shared {@link OrderedNibbles} kernel and aligned loads.
 *
 * <p>A row of {@code n} weights ({@code S = n / 256} super-blocks) holds the S F16 {@code d}, the S
 * F16 {@code dmin}, the {@code 8S} sub-block scales and the {@code 8S} mins as one byte each (GGML
 * packs them in 6 bits; unpacked they convert as vectors), zeros up to the next multiple of 64
 * bytes, then the nibbles of all weights in order ({@link OrderedNibbles}). That is 0–6% more bytes
 * than GGML's 144 per super-block.
 */
final class Q4_KGroupedFormat extends GroupedFormat {
  public static final Q4_KGroupedFormat INSTANCE = new Q4_KGroupedFormat();

  private static final int SUPER = KGroupedHeader.SUPER;
  private static final int GGML_SUPER_BYTES = 144;
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int LANES = F.length();

  private Q4_KGroupedFormat() {
    super(GgmlType.Q4_K, SUPER, 0);
  }

  private static long nibbleStart(int supers) {
    return (KGroupedHeader.bytes(supers) + 63) / 64 * 64;
  }

  @Override
  long nibblesAt(int cols) {
    return nibbleStart(cols / SUPER);
  }

  @Override
  long fifthBitsAt(int cols) {
    return -1;
  }

  @Override
  void blockScales(MemorySegment w, long row, int cols, float[] scales, float[] offsets) {
    KGroupedHeader.blockScales(w, row, cols / SUPER, scales, offsets);
  }

  @Override
  public long rowBytes(int n) {
    requireSupported(n);
    int supers = n / SUPER;
    return nibbleStart(supers) + 128L * supers;
  }

  @Override
  void fromGgml(byte[] ggml, byte[] out, int cols) {
    int supers = cols / SUPER;
    MemorySegment in = MemorySegment.ofArray(ggml);
    int[] q = new int[SUPER];
    for (int s = 0; s < supers; s++) {
      int block = s * GGML_SUPER_BYTES;
      KGroupedHeader.copy(in, block, out, s, supers);
      // GGML: 64 weights per 32 bytes, the first 32 in low nibbles, the next 32 in high ones.
      for (int m = 0; m < SUPER; m++) {
        int packed = ggml[block + 16 + 32 * (m / 64) + m % 32] & 0xff;
        q[m] = m % 64 < 32 ? packed & 0x0f : packed >>> 4;
      }
      OrderedNibbles.pack(q, out, (int) nibbleStart(supers) + 128 * s);
    }
  }

  @Override
  void rearrangeRow(MemorySegment ggml, long from, MemorySegment out, long at, int cols) {
    int supers = cols / SUPER;
    long nibbles = at + nibbleStart(supers);
    for (int s = 0; s < supers; s++) {
      long block = from + (long) s * GGML_SUPER_BYTES;
      KGroupedHeader.copy(ggml, block, out, at, s, supers);
      KGroupedHeader.packChunks(ggml, block + 16, out, nibbles + 128L * s);
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
    OrderedNibbles.Workspace work = OrderedNibbles.workspace(x, cols);
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
    MemorySegment xs = work.alignedX.asSlice(0, 4L * cols);
    float[] blockSums = work.blockSums;
    float[] laneScales = work.laneScales;
    float[] superD = work.superD;
    float[] superMin = work.superMin;
    long nibbles = nibbleStart(supers);
    boolean strided = ColumnTiles.prefetches(w, cols, start, end);
    long prefetched = strided ? 0 : Prefetch.start(w, offset + from * rowBytes);
    for (int r = from; r < to; r++) {
      prefetched = Prefetch.ahead(prefetched, w, offset + r * rowBytes);
      if (strided && r + ColumnTiles.AHEAD < to) {
        long next = offset + (r + ColumnTiles.AHEAD) * rowBytes;
        ColumnTiles.prefetch(w, next + nibbles + start / 2, (end - start) / 2);
      }
      MemorySegment row = w.asSlice(offset + r * rowBytes, nibbles + cols / 2);
      // The header inline, not through KGroupedHeader.decode: called, it cost Q4_K decode 10%.
      for (int s = start / SUPER; s < (end + SUPER - 1) / SUPER; s++) {
        superD[s] = Bytes.half(row, 2L * s);
        superMin[s] = Bytes.half(row, KGroupedHeader.dmins(supers) + 2L * s);
      }
      // The offsets are summed against the blocks' Σx as they are decoded (stored and summed in a
      // pass of their own, they cost Q4_0, whose loop this is, 5%).
      FloatVector offsetSum = FloatVector.zero(F);
      for (int b = start / BLOCK; b < end / BLOCK; b += LANES) {
        FloatVector dOfLane =
            FloatVector.fromArray(F, superD, b / 8).rearrange(KGroupedHeader.SUPER_OF_LANE);
        FloatVector minOfLane =
            FloatVector.fromArray(F, superMin, b / 8).rearrange(KGroupedHeader.SUPER_OF_LANE);
        OrderedNibbles.spreadScales(
            KGroupedHeader.bytes(row, KGroupedHeader.scaleBytes(supers) + b).mul(dOfLane),
            laneScales,
            b);
        offsetSum =
            KGroupedHeader.bytes(row, KGroupedHeader.minBytes(supers) + b)
                .mul(minOfLane)
                .fma(FloatVector.fromArray(F, blockSums, b), offsetSum);
      }
      FloatVector low = FloatVector.zero(F);
      FloatVector high = FloatVector.zero(F);
      // One vector of nibbles holds 8 weights per lane: 8·LANES weights, LANES / 4 blocks. (This
      // loop is the same in FourBitGroupedFormat and Q4_KGroupedFormat: see OrderedNibbles.)
      for (int v = start / (8 * LANES); v < end / (8 * LANES); v++) {
        IntVector q =
            IntVector.fromMemorySegment(I, row, nibbles + 4L * LANES * v, ByteOrder.LITTLE_ENDIAN);
        int xi = 8 * LANES * v;
        FloatVector p =
            ((FloatVector) q.and(0x0000000f).convert(VectorOperators.I2F, 0))
                .mul(FloatVector.fromMemorySegment(F, xs, 4L * (xi), ByteOrder.LITTLE_ENDIAN));
        p =
            ((FloatVector) q.and(0x000000f0).convert(VectorOperators.I2F, 0))
                .fma(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + LANES), ByteOrder.LITTLE_ENDIAN),
                    p);
        p =
            ((FloatVector) q.and(0x00000f00).convert(VectorOperators.I2F, 0))
                .fma(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + 2 * LANES), ByteOrder.LITTLE_ENDIAN),
                    p);
        p =
            ((FloatVector) q.and(0x0000f000).convert(VectorOperators.I2F, 0))
                .fma(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + 3 * LANES), ByteOrder.LITTLE_ENDIAN),
                    p);
        FloatVector s =
            ((FloatVector) q.and(0x000f0000).convert(VectorOperators.I2F, 0))
                .mul(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + 4 * LANES), ByteOrder.LITTLE_ENDIAN));
        s =
            ((FloatVector) q.and(0x00f00000).convert(VectorOperators.I2F, 0))
                .fma(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + 5 * LANES), ByteOrder.LITTLE_ENDIAN),
                    s);
        s =
            ((FloatVector) q.and(0x0f000000).convert(VectorOperators.I2F, 0))
                .fma(
                    FloatVector.fromMemorySegment(
                        F, xs, 4L * (xi + 6 * LANES), ByteOrder.LITTLE_ENDIAN),
                    s);
        // The top nibble would be negative as a signed int: shift it down instead (scale 1).
        FloatVector top =
            (FloatVector) q.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0);
        s =
            top.fma(
                FloatVector.fromMemorySegment(
                    F, xs, 4L * (xi + 7 * LANES), ByteOrder.LITTLE_ENDIAN),
                s);
        FloatVector d = FloatVector.fromArray(F, laneScales, LANES * v);
        low = p.fma(d, low);
        high = s.fma(d, high);
      }
      float dot = low.add(high).sub(offsetSum).reduceLanes(VectorOperators.ADD);
      out[r] = start == 0 ? dot : out[r] + dot;
    }
  }
}
