package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;

/** GGML Q5_1: like Q5_0 with an F16 minimum m after d; weight = d·q + m (q in 0..31). */
public final class Q5_1Format extends BlockFormat {
  static final Q5_1Format INSTANCE = new Q5_1Format();

  private Q5_1Format() {}

  @Override
  public GgmlType type() {
    return GgmlType.Q5_1;
  }

  @Override
  void decodeBlock(MemorySegment w, long at, float[] out) {
    float d = Bytes.half(w, at);
    float m = Bytes.half(w, at + 2);
    int qh = w.get(Bytes.INT, at + 4);
    for (int j = 0; j < 16; j++) {
      int q = u8(w, at + 8 + j);
      int h0 = ((qh >>> j) << 4) & 0x10;
      int h1 = (qh >>> (j + 12)) & 0x10;
      out[j] = d * ((q & 0x0f) | h0) + m;
      out[j + 16] = d * ((q >>> 4) | h1) + m;
    }
  }

  @Override
  void encodeBlock(float[] v, int from, byte[] out, int at) {
    float[] range = range(v, from, 32);
    float min = range[0];
    float max = range[1];
    float d = (max - min) / 31f;
    float id = d != 0 ? 1f / d : 0f;
    putHalf(out, at, d);
    putHalf(out, at + 2, min);
    int qh = 0;
    for (int j = 0; j < 16; j++) {
      int q0 = clampRound((v[from + j] - min) * id, 0, 31);
      int q1 = clampRound((v[from + j + 16] - min) * id, 0, 31);
      out[at + 8 + j] = (byte) ((q0 & 0x0f) | ((q1 & 0x0f) << 4));
      qh |= ((q0 & 0x10) >>> 4) << j;
      qh |= ((q1 & 0x10) >>> 4) << (j + 16);
    }
    for (int k = 0; k < 4; k++) {
      out[at + 4 + k] = (byte) (qh >>> (8 * k));
    }
  }
}
