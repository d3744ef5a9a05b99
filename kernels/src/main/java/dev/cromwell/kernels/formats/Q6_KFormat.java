package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.Half;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.natives.Prefetch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int PARTS = 16 / F.length();

  /** Vectorized: the 6-bit values assembled from ql and qh on 32-bit lanes, 16 weights a scale. */
  @Override
  public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    int lanes = F.length();
    FloatVector acc = FloatVector.zero(F);
    long block = offset;
    int touched = 0;
    for (int b = 0; b < n / 256; b++, block += 210) {
      if (!Prefetch.ENABLED) {
        touched += ReadAhead.touch(w, block, 210);
      }
      float d = Bytes.half(w, block + 208);
      for (int half = 0; half < 2; half++) {
        long ql = block + half * 64L;
        long qh = block + 128 + half * 32L;
        long sc = block + 192 + half * 8L;
        int base = xOffset + b * 256 + half * 128;
        for (int group = 0; group < 2; group++) {
          float d1 = d * w.get(ValueLayout.JAVA_BYTE, sc + group);
          float d2 = d * w.get(ValueLayout.JAVA_BYTE, sc + group + 2);
          float d3 = d * w.get(ValueLayout.JAVA_BYTE, sc + group + 4);
          float d4 = d * w.get(ValueLayout.JAVA_BYTE, sc + group + 6);
          FloatVector s1 = FloatVector.zero(F);
          FloatVector s2 = FloatVector.zero(F);
          FloatVector s3 = FloatVector.zero(F);
          FloatVector s4 = FloatVector.zero(F);
          for (int part = 0; part < PARTS; part++) {
            // One byte vector per part, widened whole: a widening of a variable part is not
            // compiled to a single instruction when the loop is not unrolled (256-bit vectors).
            long at0 = group * 16L + part * lanes;
            IntVector a = widen(w, ql + at0);
            IntVector c = widen(w, ql + 32 + at0);
            IntVector h = widen(w, qh + at0);
            int at = base + group * 16 + part * lanes;
            // Written out rather than through q(): this method is large enough that C2 stopped
            // inlining the fourth q() call (NodeCountInliningCutoff), boxing its vectors.
            FloatVector v1 =
                (FloatVector)
                    a.and(0x0f)
                        .or(h.lanewise(VectorOperators.LSHL, 4).and(0x30))
                        .sub(32)
                        .castShape(F, 0);
            FloatVector v2 =
                (FloatVector)
                    c.and(0x0f)
                        .or(h.lanewise(VectorOperators.LSHL, 2).and(0x30))
                        .sub(32)
                        .castShape(F, 0);
            FloatVector v3 =
                (FloatVector)
                    a.lanewise(VectorOperators.ASHR, 4)
                        .and(0x0f)
                        .or(h.and(0x30))
                        .sub(32)
                        .castShape(F, 0);
            FloatVector v4 =
                (FloatVector)
                    c.lanewise(VectorOperators.ASHR, 4)
                        .and(0x0f)
                        .or(h.lanewise(VectorOperators.ASHR, 2).and(0x30))
                        .sub(32)
                        .castShape(F, 0);
            s1 = v1.fma(FloatVector.fromArray(F, x, at), s1);
            s2 = v2.fma(FloatVector.fromArray(F, x, at + 32), s2);
            s3 = v3.fma(FloatVector.fromArray(F, x, at + 64), s3);
            s4 = v4.fma(FloatVector.fromArray(F, x, at + 96), s4);
          }
          acc = s1.fma(FloatVector.broadcast(F, d1), acc);
          acc = s2.fma(FloatVector.broadcast(F, d2), acc);
          acc = s3.fma(FloatVector.broadcast(F, d3), acc);
          acc = s4.fma(FloatVector.broadcast(F, d4), acc);
        }
      }
    }
    return ReadAhead.keep(acc.reduceLanes(VectorOperators.ADD), touched);
  }

  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;

  /** As many bytes as float lanes at {@code at}, sign-extended to int lanes. */
  private static IntVector widen(MemorySegment w, long at) {
    return (IntVector)
        ByteVector.fromMemorySegment(B, w, at, ByteOrder.LITTLE_ENDIAN).castShape(I, 0);
  }

  /** (low | two high bits at {@code shift} « 4) − 32, as floats. */
  private static FloatVector q(IntVector low, IntVector high, int shift) {
    IntVector top =
        high.lanewise(VectorOperators.ASHR, shift).and(3).lanewise(VectorOperators.LSHL, 4);
    return (FloatVector) low.or(top).sub(32).castShape(F, 0);
  }

  /** Vectorized {@link #dequantizeReference}: the same products, lane by lane. */
  @Override
  public void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    int lanes = F.length();
    long block = offset;
    for (int b = 0; b < n / 256; b++, block += 210) {
      float d = Bytes.half(w, block + 208);
      for (int half = 0; half < 2; half++) {
        long ql = block + half * 64L;
        long qh = block + 128 + half * 32L;
        long sc = block + 192 + half * 8L;
        int base = outOffset + b * 256 + half * 128;
        for (int group = 0; group < 2; group++) {
          float d1 = d * w.get(ValueLayout.JAVA_BYTE, sc + group);
          float d2 = d * w.get(ValueLayout.JAVA_BYTE, sc + group + 2);
          float d3 = d * w.get(ValueLayout.JAVA_BYTE, sc + group + 4);
          float d4 = d * w.get(ValueLayout.JAVA_BYTE, sc + group + 6);
          for (int part = 0; part < PARTS; part++) {
            long at0 = group * 16L + part * lanes;
            IntVector a = widen(w, ql + at0);
            IntVector c = widen(w, ql + 32 + at0);
            IntVector h = widen(w, qh + at0);
            int at = base + group * 16 + part * lanes;
            q(a.and(0x0f), h, 0).mul(d1).intoArray(out, at);
            q(c.and(0x0f), h, 2).mul(d2).intoArray(out, at + 32);
            q(a.lanewise(VectorOperators.ASHR, 4).and(0x0f), h, 4).mul(d3).intoArray(out, at + 64);
            q(c.lanewise(VectorOperators.ASHR, 4).and(0x0f), h, 6).mul(d4).intoArray(out, at + 96);
          }
        }
      }
    }
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
