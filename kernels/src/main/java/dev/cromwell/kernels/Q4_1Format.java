package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;

/** GGML Q4_1: 32 weights, F16 scale d and minimum m, 16 bytes of nibbles; weight = d·q + m. */
public final class Q4_1Format extends BlockFormat {
  static final Q4_1Format INSTANCE = new Q4_1Format();

  private Q4_1Format() {}

  @Override
  public GgmlType type() {
    return GgmlType.Q4_1;
  }

  @Override
  void decodeBlock(MemorySegment w, long at, float[] out) {
    float d = Bytes.half(w, at);
    float m = Bytes.half(w, at + 2);
    for (int j = 0; j < 16; j++) {
      int q = u8(w, at + 4 + j);
      out[j] = d * (q & 0x0f) + m;
      out[j + 16] = d * (q >>> 4) + m;
    }
  }

  @Override
  void encodeBlock(float[] v, int from, byte[] out, int at) {
    float[] range = range(v, from, 32);
    float min = range[0];
    float max = range[1];
    float d = (max - min) / 15f;
    float id = d != 0 ? 1f / d : 0f;
    putHalf(out, at, d);
    putHalf(out, at + 2, min);
    for (int j = 0; j < 16; j++) {
      int lo = clampRound((v[from + j] - min) * id, 0, 15);
      int hi = clampRound((v[from + j + 16] - min) * id, 0, 15);
      out[at + 4 + j] = (byte) (lo | (hi << 4));
    }
  }
}
