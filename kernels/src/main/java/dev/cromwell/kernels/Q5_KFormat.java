package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML Q5_K: like Q4_K with a fifth bit per weight: F16 d, dmin, 12 bytes of scales, 32 bytes of
 * high bits, 128 bytes of nibbles. In the 64-weight chunk c, the high bit of weight l of the first
 * sub-block is bit 2c of qh[l], of the second bit 2c+1.
 */
public final class Q5_KFormat extends BlockFormat {
  static final Q5_KFormat INSTANCE = new Q5_KFormat();

  private Q5_KFormat() {}

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  private static final int PARTS = 16 / F.length();

  /**
   * As {@link Q4_KFormat#dot}, with each weight's fifth bit taken from qh on the same 32-bit lanes:
   * per sub-block Σ d·scale·q·x − Σ dmin·min·x.
   */
  @Override
  public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    int lanes = F.length();
    FloatVector acc = FloatVector.zero(F);
    FloatVector mins = FloatVector.zero(F);
    long block = offset;
    for (int b = 0; b < n / 256; b++, block += 176) {
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
                  B16, w, block + 48 + chunk * 32L + half * 16L, ByteOrder.LITTLE_ENDIAN);
          ByteVector highBits =
              ByteVector.fromMemorySegment(
                  B16, w, block + 16 + half * 16L, ByteOrder.LITTLE_ENDIAN);
          for (int part = 0; part < PARTS; part++) {
            IntVector bytes = (IntVector) packed.castShape(I, part);
            IntVector h =
                ((IntVector) highBits.castShape(I, part)).lanewise(VectorOperators.ASHR, 2 * chunk);
            FloatVector lo =
                (FloatVector)
                    bytes.and(0x0f).or(h.and(1).lanewise(VectorOperators.LSHL, 4)).castShape(F, 0);
            FloatVector hi =
                (FloatVector)
                    bytes
                        .lanewise(VectorOperators.ASHR, 4)
                        .and(0x0f)
                        .or(h.and(2).lanewise(VectorOperators.LSHL, 3))
                        .castShape(F, 0);
            int at = half * 16 + part * lanes;
            FloatVector x0 = FloatVector.fromArray(F, x, base + at);
            FloatVector x1 = FloatVector.fromArray(F, x, base + 32 + at);
            qxLow = lo.fma(x0, qxLow);
            qxHigh = hi.fma(x1, qxHigh);
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

  @Override
  public GgmlType type() {
    return GgmlType.Q5_K;
  }

  @Override
  void decodeBlock(MemorySegment w, long at, float[] out) {
    float d = Bytes.half(w, at);
    float dmin = Bytes.half(w, at + 2);
    long scales = at + 4;
    long qh = at + 16;
    long qs = at + 48;
    for (int chunk = 0; chunk < 4; chunk++) {
      int s = chunk * 2;
      float d1 = d * KScales.scale(w, scales, s);
      float m1 = dmin * KScales.min(w, scales, s);
      float d2 = d * KScales.scale(w, scales, s + 1);
      float m2 = dmin * KScales.min(w, scales, s + 1);
      int bit1 = 1 << (2 * chunk);
      int bit2 = 2 << (2 * chunk);
      for (int l = 0; l < 32; l++) {
        int q = u8(w, qs + chunk * 32L + l);
        int h = u8(w, qh + l);
        out[chunk * 64 + l] = d1 * ((q & 0x0f) + ((h & bit1) != 0 ? 16 : 0)) - m1;
        out[chunk * 64 + 32 + l] = d2 * ((q >>> 4) + ((h & bit2) != 0 ? 16 : 0)) - m2;
      }
    }
  }

  @Override
  void encodeBlock(float[] v, int from, byte[] out, int at) {
    int[] q = KScales.quantize(v, from, 32, out, at);
    for (int chunk = 0; chunk < 4; chunk++) {
      for (int l = 0; l < 32; l++) {
        int a = q[chunk * 64 + l];
        int b = q[chunk * 64 + 32 + l];
        out[at + 48 + chunk * 32 + l] = (byte) ((a & 0x0f) | ((b & 0x0f) << 4));
        int h = out[at + 16 + l] & 0xff;
        h |= ((a >>> 4) & 1) << (2 * chunk);
        h |= ((b >>> 4) & 1) << (2 * chunk + 1);
        out[at + 16 + l] = (byte) h;
      }
    }
  }
}
