package dev.cromwell.kernels;

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

  private KQuantDot() {}

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
    for (int b = 0; b < n / 256; b++, block += blockBytes) {
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
    return acc.reduceLanes(VectorOperators.ADD) - mins.reduceLanes(VectorOperators.ADD);
  }
}
