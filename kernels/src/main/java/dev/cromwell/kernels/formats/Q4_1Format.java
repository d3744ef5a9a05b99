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

/** GGML Q4_1: 32 weights, F16 scale d and minimum m, 16 bytes of nibbles; weight = d·q + m. */
public final class Q4_1Format extends BlockFormat {
  static final Q4_1Format INSTANCE = new Q4_1Format();

  private Q4_1Format() {}

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  private static final int PARTS = 16 / F.length();
  private static final VectorSpecies<Byte> B = VectorWidth.BYTE_PER_FLOAT;

  /** Σ d·q·x + m·Σ x per block, nibbles unpacked on 32-bit lanes (x86 has no byte shifts). */
  @Override
  public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    int lanes = F.length();
    FloatVector acc = FloatVector.zero(F);
    FloatVector mins = FloatVector.zero(F);
    long block = offset;
    int xi = xOffset;
    for (int b = 0; b < n / 32; b++, block += 20, xi += 32) {
      FloatVector qx = FloatVector.zero(F);
      FloatVector xs = FloatVector.zero(F);
      for (int part = 0; part < PARTS; part++) {
        // A byte vector per part, widened whole: widening a variable part of a wider vector is
        // not compiled to one instruction when the loop stays rolled (256-bit vectors).
        IntVector bytes =
            (IntVector)
                ByteVector.fromMemorySegment(
                        B, w, block + 4 + part * lanes, ByteOrder.LITTLE_ENDIAN)
                    .castShape(I, 0);
        FloatVector lo = (FloatVector) bytes.and(0x0f).castShape(F, 0);
        FloatVector hi =
            (FloatVector) bytes.lanewise(VectorOperators.ASHR, 4).and(0x0f).castShape(F, 0);
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
