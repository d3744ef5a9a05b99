package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;

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
