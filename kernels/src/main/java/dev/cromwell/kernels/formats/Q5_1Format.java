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

/** GGML Q5_1: like Q5_0 with an F16 minimum m after d; weight = d·q + m (q in 0..31). */
public final class Q5_1Format extends BlockFormat {
  static final Q5_1Format INSTANCE = new Q5_1Format();

  private Q5_1Format() {}

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  private static final int PARTS = 16 / F.length();
  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;

  /**
   * Σ d·q·x + m·Σ x per block, the fifth bits merged on 32-bit lanes ({@link FiveBits}). Kept apart
   * from Q4_1's kernel: one kernel with a fifth-bit switch measured Q4_1 at 2.4–3.6 GB/s instead of
   * 4.3 (JMH, 1 thread).
   */
  @Override
  public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    int lanes = F.length();
    FloatVector acc = FloatVector.zero(F);
    FloatVector mins = FloatVector.zero(F);
    long block = offset;
    int xi = xOffset;
    for (int b = 0; b < n / 32; b++, block += 24, xi += 32) {
      IntVector qh = IntVector.broadcast(I, w.get(Bytes.INT, block + 4));
      FloatVector qx = FloatVector.zero(F);
      FloatVector xs = FloatVector.zero(F);
      for (int part = 0; part < PARTS; part++) {
        // A byte vector per part, widened whole: widening a variable part of a wider vector is
        // not compiled to one instruction when the loop stays rolled (256-bit vectors).
        IntVector bytes =
            (IntVector)
                ByteVector.fromMemorySegment(
                        B, w, block + 8 + part * lanes, ByteOrder.LITTLE_ENDIAN)
                    .castShape(I, 0);
        FloatVector lo = (FloatVector) FiveBits.lowValues(bytes, qh, part).castShape(F, 0);
        FloatVector hi = (FloatVector) FiveBits.highValues(bytes, qh, part).castShape(F, 0);
        FloatVector x0 = FloatVector.fromArray(F, x, xi + part * lanes);
        FloatVector x1 = FloatVector.fromArray(F, x, xi + 16 + part * lanes);
        qx = lo.fma(x0, qx);
        qx = hi.fma(x1, qx);
        xs = xs.add(x0).add(x1);
      }
      acc = qx.fma(FloatVector.broadcast(F, Bytes.half(w, block)), acc);
      mins = xs.fma(FloatVector.broadcast(F, Bytes.half(w, block + 2)), mins);
    }
    return acc.reduceLanes(VectorOperators.ADD) + mins.reduceLanes(VectorOperators.ADD);
  }

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
