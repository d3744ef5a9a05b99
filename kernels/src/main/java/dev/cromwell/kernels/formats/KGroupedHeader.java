package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.VectorWidth;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The header of a grouped Q4_K or Q5_K row ({@link Q4_KGroupedFormat}, {@link Q5_KGroupedFormat})
 * of {@code S} super-blocks of 256 weights: the S F16 {@code d}, the S F16 {@code dmin}, the {@code
 * 8S} sub-block scales and the {@code 8S} mins as one byte each (GGML packs them in 6 bits;
 * unpacked they convert as vectors).
 */
final class KGroupedHeader {
  static final int SUPER = 256;

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;
  private static final int LANES = F.length();

  /** Lane i of a run of sub-blocks belongs to super-block i / 8. */
  static final VectorShuffle<Float> SUPER_OF_LANE = VectorShuffle.fromOp(F, lane -> lane / 8);

  private KGroupedHeader() {}

  /** Bytes of the header. */
  static long bytes(int supers) {
    return 20L * supers;
  }

  /** Where the dmin values start. */
  static long dmins(int supers) {
    return 2L * supers;
  }

  /** Where the scale bytes start. */
  static long scaleBytes(int supers) {
    return 4L * supers;
  }

  /** Where the min bytes start. */
  static long minBytes(int supers) {
    return 12L * supers;
  }

  /**
   * Writes super-block {@code s}'s d, dmin, scales and mins, from GGML's block at {@code block}
   * (its first 16 bytes, which Q4_K and Q5_K share), into a row's header.
   */
  static void copy(MemorySegment in, int block, byte[] out, int s, int supers) {
    MemorySegment row = MemorySegment.ofArray(out);
    row.set(Bytes.SHORT, 2L * s, in.get(Bytes.SHORT, block));
    row.set(Bytes.SHORT, dmins(supers) + 2L * s, in.get(Bytes.SHORT, block + 2));
    for (int j = 0; j < 8; j++) {
      out[(int) scaleBytes(supers) + 8 * s + j] = (byte) KScales.scale(in, block + 4, j);
      out[(int) minBytes(supers) + 8 * s + j] = (byte) KScales.min(in, block + 4, j);
    }
  }

  /**
   * {@link #copy(MemorySegment, int, byte[], int, int)} from GGML's block at {@code ggml[block..]}
   * into the row at {@code out[at..]}, the 6-bit fields read as two words.
   */
  static void copy(MemorySegment ggml, long block, MemorySegment out, long at, int s, int supers) {
    out.set(Bytes.SHORT, at + 2L * s, ggml.get(Bytes.SHORT, block));
    out.set(Bytes.SHORT, at + dmins(supers) + 2L * s, ggml.get(Bytes.SHORT, block + 2));
    long low = ggml.get(Bytes.LONG, block + 4);
    int high = ggml.get(Bytes.INT, block + 12);
    long scales = 0;
    long mins = 0;
    for (int j = 0; j < 8; j++) {
      scales |= (long) KScales.scale(low, high, j) << (8 * j);
      mins |= (long) KScales.min(low, high, j) << (8 * j);
    }
    out.set(Bytes.LONG, at + scaleBytes(supers) + 8L * s, scales);
    out.set(Bytes.LONG, at + minBytes(supers) + 8L * s, mins);
  }

  /**
   * Puts a Q4_K or Q5_K super-block's 128 bytes of nibbles at {@code ggml[qs..]} in weight order at
   * {@code out[at..]}: GGML's chunk c of 32 bytes holds weights 64c + l in its low nibbles and 64c
   * + 32 + l in its high ones.
   */
  static void packChunks(MemorySegment ggml, long qs, MemorySegment out, long at) {
    for (int c = 0; c < 4; c++) {
      long chunk = qs + 32L * c;
      long to = at + 32L * c;
      GgmlWords.packNibbles(ggml, chunk, false, out, to);
      GgmlWords.packNibbles(ggml, chunk + 16, false, out, to + 8);
      GgmlWords.packNibbles(ggml, chunk, true, out, to + 16);
      GgmlWords.packNibbles(ggml, chunk + 16, true, out, to + 24);
    }
  }

  /**
   * For a kernel: d·scale per sub-block spread to {@code work.laneScales}, dmin·min per sub-block
   * into {@code work.offsets}, LANES sub-blocks (LANES / 8 super-blocks) at a time. (Q4_K's kernel
   * keeps this loop inline: called, it cost Q4_K decode 10%.)
   */
  static void decode(MemorySegment row, int supers, OrderedNibbles.Workspace work) {
    float[] superD = work.superD;
    float[] superMin = work.superMin;
    for (int s = 0; s < supers; s++) {
      superD[s] = Bytes.half(row, 2L * s);
      superMin[s] = Bytes.half(row, dmins(supers) + 2L * s);
    }
    for (int b = 0; b < 8 * supers; b += LANES) {
      FloatVector dOfLane = FloatVector.fromArray(F, superD, b / 8).rearrange(SUPER_OF_LANE);
      FloatVector minOfLane = FloatVector.fromArray(F, superMin, b / 8).rearrange(SUPER_OF_LANE);
      OrderedNibbles.spreadScales(
          bytes(row, scaleBytes(supers) + b).mul(dOfLane), work.laneScales, b);
      bytes(row, minBytes(supers) + b).mul(minOfLane).intoArray(work.offsets, b);
    }
  }

  /** d·scale and dmin·min of every sub-block, as GGML's Q4_K and Q5_K compute them. */
  static void blockScales(MemorySegment w, long row, int supers, float[] scales, float[] offsets) {
    for (int b = 0; b < 8 * supers; b++) {
      float d = Bytes.half(w, row + 2L * (b / 8));
      float dmin = Bytes.half(w, row + dmins(supers) + 2L * (b / 8));
      scales[b] = d * (w.get(ValueLayout.JAVA_BYTE, row + scaleBytes(supers) + b) & 0xff);
      offsets[b] = dmin * (w.get(ValueLayout.JAVA_BYTE, row + minBytes(supers) + b) & 0xff);
    }
  }

  /** LANES unsigned bytes at {@code at}, as float. */
  static FloatVector bytes(MemorySegment row, long at) {
    return (FloatVector)
        ((IntVector)
                ByteVector.fromMemorySegment(B, row, at, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0))
            .convert(VectorOperators.I2F, 0);
  }
}
