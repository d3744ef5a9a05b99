package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.VectorWidth;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML Q4_K: super-blocks of 256 weights — F16 d and dmin, 12 bytes of 6-bit scales and mins
 * ({@link KScales}), 128 bytes of nibbles. Each 64 weights use 32 bytes: low nibbles for the first
 * sub-block of 32, high nibbles for the second; weight = d·scale·q − dmin·min.
 */
public final class Q4_KFormat extends BlockFormat {
  static final Q4_KFormat INSTANCE = new Q4_KFormat();

  private Q4_KFormat() {}

  @Override
  public GgmlType type() {
    return GgmlType.Q4_K;
  }

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  private static final int PARTS = 16 / F.length();

  /** Vectorized in {@link KQuantDot} (by level tables at 16 lanes; else shared with Q5_K). */
  @Override
  public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    return KQuantDot.dotQ4K(w, offset, x, xOffset, n);
  }

  /** Vectorized {@link #dequantizeReference}: the same products and differences, lane by lane. */
  @Override
  public void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    int lanes = F.length();
    long block = offset;
    for (int b = 0; b < n / 256; b++, block += 144) {
      float d = Bytes.half(w, block);
      float dmin = Bytes.half(w, block + 2);
      long scaleLow = w.get(Bytes.LONG, block + 4);
      int scaleHigh = w.get(Bytes.INT, block + 12);
      for (int chunk = 0; chunk < 4; chunk++) {
        int s = chunk * 2;
        float d1 = d * KScales.scale(scaleLow, scaleHigh, s);
        float m1 = dmin * KScales.min(scaleLow, scaleHigh, s);
        float d2 = d * KScales.scale(scaleLow, scaleHigh, s + 1);
        float m2 = dmin * KScales.min(scaleLow, scaleHigh, s + 1);
        int base = outOffset + b * 256 + chunk * 64;
        for (int half = 0; half < 2; half++) {
          ByteVector packed =
              ByteVector.fromMemorySegment(
                  B16, w, block + 16 + chunk * 32L + half * 16L, ByteOrder.LITTLE_ENDIAN);
          for (int part = 0; part < PARTS; part++) {
            IntVector bytes = (IntVector) packed.castShape(I, part);
            FloatVector lo = (FloatVector) bytes.and(0x0f).castShape(F, 0);
            FloatVector hi =
                (FloatVector) bytes.lanewise(VectorOperators.ASHR, 4).and(0x0f).castShape(F, 0);
            int at = base + half * 16 + part * lanes;
            lo.mul(d1).sub(m1).intoArray(out, at);
            hi.mul(d2).sub(m2).intoArray(out, at + 32);
          }
        }
      }
    }
  }

  @Override
  void decodeBlock(MemorySegment w, long at, float[] out) {
    float d = Bytes.half(w, at);
    float dmin = Bytes.half(w, at + 2);
    long scales = at + 4;
    long qs = at + 16;
    for (int chunk = 0; chunk < 4; chunk++) {
      int s = chunk * 2;
      float d1 = d * KScales.scale(w, scales, s);
      float m1 = dmin * KScales.min(w, scales, s);
      float d2 = d * KScales.scale(w, scales, s + 1);
      float m2 = dmin * KScales.min(w, scales, s + 1);
      for (int l = 0; l < 32; l++) {
        int q = u8(w, qs + chunk * 32L + l);
        out[chunk * 64 + l] = d1 * (q & 0x0f) - m1;
        out[chunk * 64 + 32 + l] = d2 * (q >>> 4) - m2;
      }
    }
  }

  @Override
  void encodeBlock(float[] v, int from, byte[] out, int at) {
    int[] q = KScales.quantize(v, from, 16, out, at);
    for (int chunk = 0; chunk < 4; chunk++) {
      for (int l = 0; l < 32; l++) {
        out[at + 16 + chunk * 32 + l] = (byte) (q[chunk * 64 + l] | (q[chunk * 64 + 32 + l] << 4));
      }
    }
  }
}
