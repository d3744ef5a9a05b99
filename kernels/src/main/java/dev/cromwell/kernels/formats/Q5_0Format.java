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
 * GGML Q5_0: 32 weights, F16 scale d, 32 high bits (little-endian uint32), 16 bytes of low nibbles;
 * weight = d·(q − 16) with q = nibble | high bit « 4. Bit j of the high bits belongs to weight j,
 * bit j+16 to weight j+16.
 */
public final class Q5_0Format extends BlockFormat {
  static final Q5_0Format INSTANCE = new Q5_0Format();

  private Q5_0Format() {}

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  private static final int PARTS = 16 / F.length();
  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;

  /** Σ d·(q − 16)·x per block, the fifth bits merged on 32-bit lanes ({@link FiveBits}). */
  @Override
  public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    int lanes = F.length();
    FloatVector acc = FloatVector.zero(F);
    long block = offset;
    int xi = xOffset;
    for (int b = 0; b < n / 32; b++, block += 22, xi += 32) {
      IntVector qh = IntVector.broadcast(I, w.get(Bytes.INT, block + 2));
      FloatVector qx = FloatVector.zero(F);
      for (int part = 0; part < PARTS; part++) {
        // A byte vector per part, widened whole: widening a variable part of a wider vector is
        // not compiled to one instruction when the loop stays rolled (256-bit vectors).
        IntVector bytes =
            (IntVector)
                ByteVector.fromMemorySegment(
                        B, w, block + 6 + part * lanes, ByteOrder.LITTLE_ENDIAN)
                    .castShape(I, 0);
        FloatVector lo = (FloatVector) FiveBits.lowValues(bytes, qh, part).sub(16).castShape(F, 0);
        FloatVector hi = (FloatVector) FiveBits.highValues(bytes, qh, part).sub(16).castShape(F, 0);
        qx = lo.fma(FloatVector.fromArray(F, x, xi + part * lanes), qx);
        qx = hi.fma(FloatVector.fromArray(F, x, xi + 16 + part * lanes), qx);
      }
      acc = qx.fma(FloatVector.broadcast(F, Bytes.half(w, block)), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  @Override
  public GgmlType type() {
    return GgmlType.Q5_0;
  }

  /** Vectorized {@link #dequantizeReference}: the same products, lane by lane. */
  @Override
  public void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    int lanes = F.length();
    long block = offset;
    int at = outOffset;
    for (int b = 0; b < n / 32; b++, block += 22, at += 32) {
      float d = Bytes.half(w, block);
      IntVector qh = IntVector.broadcast(I, w.get(Bytes.INT, block + 2));
      ByteVector packed = ByteVector.fromMemorySegment(B16, w, block + 6, ByteOrder.LITTLE_ENDIAN);
      for (int part = 0; part < PARTS; part++) {
        IntVector bytes = (IntVector) packed.castShape(I, part);
        FloatVector lo = (FloatVector) FiveBits.lowValues(bytes, qh, part).sub(16).castShape(F, 0);
        FloatVector hi = (FloatVector) FiveBits.highValues(bytes, qh, part).sub(16).castShape(F, 0);
        lo.mul(d).intoArray(out, at + part * lanes);
        hi.mul(d).intoArray(out, at + 16 + part * lanes);
      }
    }
  }

  @Override
  void decodeBlock(MemorySegment w, long at, float[] out) {
    float d = Bytes.half(w, at);
    int qh = w.get(Bytes.INT, at + 2);
    for (int j = 0; j < 16; j++) {
      int q = u8(w, at + 6 + j);
      int h0 = ((qh >>> j) << 4) & 0x10;
      int h1 = (qh >>> (j + 12)) & 0x10;
      out[j] = d * (((q & 0x0f) | h0) - 16);
      out[j + 16] = d * (((q >>> 4) | h1) - 16);
    }
  }

  @Override
  void encodeBlock(float[] v, int from, byte[] out, int at) {
    float extreme = 0;
    for (int j = 0; j < 32; j++) {
      if (Math.abs(v[from + j]) > Math.abs(extreme)) {
        extreme = v[from + j];
      }
    }
    float d = extreme / -16f;
    float id = d != 0 ? 1f / d : 0f;
    putHalf(out, at, d);
    int qh = 0;
    for (int j = 0; j < 16; j++) {
      int q0 = Math.min(31, (int) (v[from + j] * id + 16.5f));
      int q1 = Math.min(31, (int) (v[from + j + 16] * id + 16.5f));
      out[at + 6 + j] = (byte) ((q0 & 0x0f) | ((q1 & 0x0f) << 4));
      qh |= ((q0 & 0x10) >>> 4) << j;
      qh |= ((q1 & 0x10) >>> 4) << (j + 16);
    }
    for (int k = 0; k < 4; k++) {
      out[at + 2 + k] = (byte) (qh >>> (8 * k));
    }
  }
}
