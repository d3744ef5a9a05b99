package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q6_K: super-blocks of 256 weights — 128 bytes of low nibbles (ql), 64 bytes of 2-bit highs
 * (qh), 16 signed 8-bit scales (one per 16 weights), F16 d; weight = d·scale·(q − 32). In each half
 * of 128 weights, ql[l] holds weights l and l+64, ql[l+32] weights l+32 and l+96, and qh[l] the
 * high bits of l, l+32, l+64, l+96.
 */
public final class Q6_KFormat extends BlockFormat {
  static final Q6_KFormat INSTANCE = new Q6_KFormat();

  private Q6_KFormat() {}

  @Override
  public GgmlType type() {
    return GgmlType.Q6_K;
  }

  @Override
  void decodeBlock(MemorySegment w, long at, float[] out) {
    float d = Bytes.half(w, at + 208);
    for (int half = 0; half < 2; half++) {
      long ql = at + half * 64L;
      long qh = at + 128 + half * 32L;
      long sc = at + 192 + half * 8L;
      int base = half * 128;
      for (int l = 0; l < 32; l++) {
        int is = l / 16;
        int low0 = u8(w, ql + l);
        int low1 = u8(w, ql + l + 32);
        int high = u8(w, qh + l);
        int q1 = ((low0 & 0x0f) | ((high & 3) << 4)) - 32;
        int q2 = ((low1 & 0x0f) | (((high >>> 2) & 3) << 4)) - 32;
        int q3 = ((low0 >>> 4) | (((high >>> 4) & 3) << 4)) - 32;
        int q4 = ((low1 >>> 4) | (((high >>> 6) & 3) << 4)) - 32;
        out[base + l] = d * w.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
        out[base + l + 32] = d * w.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
        out[base + l + 64] = d * w.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
        out[base + l + 96] = d * w.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
      }
    }
  }

  @Override
  void encodeBlock(float[] v, int from, byte[] out, int at) {
    float[] subScale = new float[16];
    float maxScale = 0;
    for (int s = 0; s < 16; s++) {
      float amax = 0;
      for (int l = 0; l < 16; l++) {
        amax = Math.max(amax, Math.abs(v[from + s * 16 + l]));
      }
      subScale[s] = amax / 31f;
      maxScale = Math.max(maxScale, subScale[s]);
    }
    float d = maxScale / 127f;
    putHalf(out, at + 208, d);
    float dStored = Half.toFloat(Half.fromFloat(d));
    int[] levels = new int[256];
    for (int s = 0; s < 16; s++) {
      int sc = d > 0 ? clampRound(subScale[s] / d, -128, 127) : 0;
      out[at + 192 + s] = (byte) sc;
      float step = dStored * sc;
      for (int l = 0; l < 16; l++) {
        int q = step != 0 ? clampRound(v[from + s * 16 + l] / step, -32, 31) : 0;
        levels[s * 16 + l] = q + 32;
      }
    }
    for (int half = 0; half < 2; half++) {
      int b = half * 128;
      for (int l = 0; l < 32; l++) {
        int l0 = levels[b + l];
        int l1 = levels[b + l + 32];
        int l2 = levels[b + l + 64];
        int l3 = levels[b + l + 96];
        out[at + half * 64 + l] = (byte) ((l0 & 0x0f) | ((l2 & 0x0f) << 4));
        out[at + half * 64 + l + 32] = (byte) ((l1 & 0x0f) | ((l3 & 0x0f) << 4));
        out[at + 128 + half * 32 + l] =
            (byte) ((l0 >>> 4) | ((l1 >>> 4) << 2) | ((l2 >>> 4) << 4) | ((l3 >>> 4) << 6));
      }
    }
  }
}
