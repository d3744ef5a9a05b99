package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.natives.Prefetch;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vectorized dot product shared by Q4_K and Q5_K, which differ only in Q5_K's fifth bits: per
 * 32-weight sub-block Σ d·scale·q·x − Σ dmin·min·x, nibbles unpacked on 32-bit lanes (x86 has no
 * byte shifts) and the minimums folded into a second accumulator of Σx.
 */
final class KQuantDot {
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  private static final int PARTS = 16 / F.length();

  /** 0, 1, …, 15 as floats, where a vector has 16 lanes (the Q4_K level tables); null otherwise. */
  private static final FloatVector LEVELS = F.length() == 16 ? levels() : null;

  private KQuantDot() {}

  private static FloatVector levels() {
    float[] values = new float[16];
    for (int q = 0; q < 16; q++) {
      values[q] = q;
    }
    return FloatVector.fromArray(F, values, 0);
  }

  /** Q4_K's dot product: by level tables where vectors have 16 lanes, else {@link #dot}. */
  static float dotQ4K(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    return LEVELS != null
        ? dotQ4KByTables(w, offset, x, xOffset, n)
        : dot(w, offset, x, xOffset, n, false);
  }

  /**
   * 16 lanes: the 16 weights a nibble can stand for in sub-block j, d·scale_j·q − dmin·min_j, fit
   * one vector; one FMA builds that table per sub-block and a permute (which reads only the low
   * four bits of each lane) turns nibbles into weights. No int-to-float conversion, no sum of x for
   * the minimums, no per-sub-block scaling of partial sums.
   */
  private static float dotQ4KByTables(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    int blocks = n / 256;
    // Offsets relative to a slice of the row let C2 hoist the bounds checks of x (tg 6.7 -> 7.3
    // tokens/s on Cromwell-1.2B Q4_K against absolute offsets).
    MemorySegment row = w.asSlice(offset, (long) blocks * 144);
    int touched = 0;
    FloatVector accLow = FloatVector.zero(F);
    FloatVector accHigh = FloatVector.zero(F);
    for (int b = 0; b < blocks; b++) {
      long block = (long) b * 144;
      if (!Prefetch.ENABLED) {
        touched += ReadAhead.touch(w, offset + block, 144);
      }
      float d = Bytes.half(row, block);
      float dmin = Bytes.half(row, block + 2);
      long scaleLow = row.get(Bytes.LONG, block + 4);
      int scaleHigh = row.get(Bytes.INT, block + 12);
      for (int chunk = 0; chunk < 4; chunk++) {
        // Chunk c holds 32 bytes: low nibbles are sub-block 2c, high nibbles sub-block 2c+1.
        int s = 2 * chunk;
        IntVector lowTable =
            LEVELS
                .fma(
                    d * KScales.scale(scaleLow, scaleHigh, s),
                    -dmin * KScales.min(scaleLow, scaleHigh, s))
                .reinterpretAsInts();
        IntVector highTable =
            LEVELS
                .fma(
                    d * KScales.scale(scaleLow, scaleHigh, s + 1),
                    -dmin * KScales.min(scaleLow, scaleHigh, s + 1))
                .reinterpretAsInts();
        for (int half = 0; half < 2; half++) {
          IntVector bytes =
              (IntVector)
                  ByteVector.fromMemorySegment(
                          B16, row, block + 16 + chunk * 32L + half * 16L, ByteOrder.LITTLE_ENDIAN)
                      .castShape(I, 0);
          FloatVector low = bytes.selectFrom(lowTable).reinterpretAsFloats();
          FloatVector high =
              bytes.lanewise(VectorOperators.ASHR, 4).selectFrom(highTable).reinterpretAsFloats();
          int at = xOffset + b * 256 + chunk * 64 + half * 16;
          accLow = low.fma(FloatVector.fromArray(F, x, at), accLow);
          accHigh = high.fma(FloatVector.fromArray(F, x, at + 32), accHigh);
        }
      }
    }
    return ReadAhead.keep(accLow.add(accHigh).reduceLanes(VectorOperators.ADD), touched);
  }

  /**
   * @param fifthBit Q5_K (176-byte blocks: 32 bytes of high bits, then the nibbles at +48) rather
   *     than Q4_K (144-byte blocks, nibbles at +16). In chunk c, weight l of the first sub-block
   *     takes bit 2c of high byte l, of the second bit 2c+1.
   */
  static float dot(MemorySegment w, long offset, float[] x, int xOffset, int n, boolean fifthBit) {
    int blockBytes = fifthBit ? 176 : 144;
    int nibbles = fifthBit ? 48 : 16;
    int lanes = F.length();
    FloatVector acc = FloatVector.zero(F);
    FloatVector mins = FloatVector.zero(F);
    long block = offset;
    int touched = 0;
    for (int b = 0; b < n / 256; b++, block += blockBytes) {
      if (!Prefetch.ENABLED) {
        touched += ReadAhead.touch(w, block, blockBytes);
      }
      float d = Bytes.half(w, block);
      float dmin = Bytes.half(w, block + 2);
      long scaleLow = w.get(Bytes.LONG, block + 4);
      int scaleHigh = w.get(Bytes.INT, block + 12);
      for (int chunk = 0; chunk < 4; chunk++) {
        int base = xOffset + b * 256 + chunk * 64;
        FloatVector qxLow = FloatVector.zero(F);
        FloatVector qxHigh = FloatVector.zero(F);
        FloatVector xLow = FloatVector.zero(F);
        FloatVector xHigh = FloatVector.zero(F);
        for (int half = 0; half < 2; half++) {
          ByteVector packed =
              ByteVector.fromMemorySegment(
                  B16, w, block + nibbles + chunk * 32L + half * 16L, ByteOrder.LITTLE_ENDIAN);
          for (int part = 0; part < PARTS; part++) {
            IntVector bytes = (IntVector) packed.castShape(I, part);
            IntVector low = bytes.and(0x0f);
            IntVector high = bytes.lanewise(VectorOperators.ASHR, 4).and(0x0f);
            if (fifthBit) {
              ByteVector highBits =
                  ByteVector.fromMemorySegment(
                      B16, w, block + 16 + half * 16L, ByteOrder.LITTLE_ENDIAN);
              IntVector h =
                  ((IntVector) highBits.castShape(I, part))
                      .lanewise(VectorOperators.ASHR, 2 * chunk);
              low = low.or(h.and(1).lanewise(VectorOperators.LSHL, 4));
              high = high.or(h.and(2).lanewise(VectorOperators.LSHL, 3));
            }
            int at = half * 16 + part * lanes;
            FloatVector x0 = FloatVector.fromArray(F, x, base + at);
            FloatVector x1 = FloatVector.fromArray(F, x, base + 32 + at);
            qxLow = ((FloatVector) low.castShape(F, 0)).fma(x0, qxLow);
            qxHigh = ((FloatVector) high.castShape(F, 0)).fma(x1, qxHigh);
            xLow = xLow.add(x0);
            xHigh = xHigh.add(x1);
          }
        }
        int s = chunk * 2;
        acc = qxLow.fma(FloatVector.broadcast(F, d * KScales.scale(scaleLow, scaleHigh, s)), acc);
        acc =
            qxHigh.fma(
                FloatVector.broadcast(F, d * KScales.scale(scaleLow, scaleHigh, s + 1)), acc);
        mins = xLow.fma(FloatVector.broadcast(F, dmin * KScales.min(scaleLow, scaleHigh, s)), mins);
        mins =
            xHigh.fma(
                FloatVector.broadcast(F, dmin * KScales.min(scaleLow, scaleHigh, s + 1)), mins);
      }
    }
    return ReadAhead.keep(
        acc.reduceLanes(VectorOperators.ADD) - mins.reduceLanes(VectorOperators.ADD), touched);
  }
}
