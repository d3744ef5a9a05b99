package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.Half;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.natives.Prefetch;
import dev.cromwell.kernels.ops.MatVec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML Q4_0: blocks of 32 weights, an F16 scale {@code d} then 16 bytes of nibbles. Byte j holds
 * weight j in its low nibble and weight j+16 in its high nibble; weight = d × (nibble − 8).
 */
public final class Q4_0Format implements WeightFormat {
  static final Q4_0Format INSTANCE = new Q4_0Format();
  static final int BLOCK = 32;
  static final int BLOCK_BYTES = 18;
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);

  /** How many float vectors one 16-lane byte vector widens into. */
  private static final int PARTS = 16 / F.length();

  /** The float bits of the 16 levels n − 8, where a vector has 16 lanes; null otherwise. */
  private static final IntVector LEVELS = F.length() == 16 ? levels() : null;

  private Q4_0Format() {}

  private static IntVector levels() {
    int[] bits = new int[16];
    for (int nibble = 0; nibble < 16; nibble++) {
      bits[nibble] = Float.floatToRawIntBits(nibble - 8);
    }
    return IntVector.fromArray(I, bits, 0);
  }

  @Override
  public GgmlType type() {
    return GgmlType.Q4_0;
  }

  /** Through {@link #dotRows}, where the kernels live. */
  @Override
  public float dot(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    return MatVec.dotThroughRows(this, w, offset, x, xOffset, n);
  }

  /**
   * 16 lanes: a nibble indexes the 16 levels (n − 8 as float) in one permute, which needs neither a
   * subtraction nor an int-to-float conversion (0.5B Q4_0, 2 threads: tg 37.6 → 43.5 tokens/s).
   * Offsets relative to a slice of the row let C2 hoist the bounds checks of x (41.0 → 43.6 against
   * absolute offsets). As {@link Q8_0Format#dotRows}, the row loop and the block loop are in one
   * method, so that no row pays a call: with the kernel called per row and kept out of line
   * (-XX:CompileCommand=dontinline), tg was 37.2 against 43.8 here.
   */
  @Override
  public void dotRows(
      MemorySegment w,
      long offset,
      long rowBytes,
      float[] x,
      int cols,
      float[] out,
      int from,
      int to) {
    long prefetched = Prefetch.start(w, offset + from * rowBytes);
    if (LEVELS == null) {
      for (int r = from; r < to; r++) {
        prefetched = Prefetch.ahead(prefetched, w, offset + r * rowBytes);
        out[r] = dotWidened(w, offset + r * rowBytes, x, 0, cols);
      }
      return;
    }
    int blocks = cols / BLOCK;
    for (int r = from; r < to; r++) {
      prefetched = Prefetch.ahead(prefetched, w, offset + r * rowBytes);
      MemorySegment row = w.asSlice(offset + r * rowBytes, (long) blocks * BLOCK_BYTES);
      FloatVector acc = FloatVector.zero(F);
      for (int b = 0; b < blocks; b++) {
        long at = (long) b * BLOCK_BYTES;
        int xi = b * BLOCK;
        float scale = Bytes.half(row, at);
        ByteVector packed = ByteVector.fromMemorySegment(B16, row, at + 2, ByteOrder.LITTLE_ENDIAN);
        IntVector bytes = (IntVector) packed.castShape(I, 0);
        FloatVector lo = bytes.selectFrom(LEVELS).reinterpretAsFloats();
        FloatVector hi =
            bytes.lanewise(VectorOperators.ASHR, 4).selectFrom(LEVELS).reinterpretAsFloats();
        FloatVector sum = lo.mul(FloatVector.fromArray(F, x, xi));
        sum = hi.fma(FloatVector.fromArray(F, x, xi + 16), sum);
        acc = sum.fma(FloatVector.broadcast(F, scale), acc);
      }
      out[r] = acc.reduceLanes(VectorOperators.ADD);
    }
  }

  /** Nibbles widened to 32-bit lanes, masked and converted: vectors of fewer than 16 lanes. */
  private static float dotWidened(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    int lanes = F.length();
    int blocks = n / BLOCK;
    FloatVector acc = FloatVector.zero(F);
    long block = offset;
    int xi = xOffset;
    for (int b = 0; b < blocks; b++, block += BLOCK_BYTES, xi += BLOCK) {
      float scale = Bytes.half(w, block);
      ByteVector packed = ByteVector.fromMemorySegment(B16, w, block + 2, ByteOrder.LITTLE_ENDIAN);
      FloatVector blockSum = FloatVector.zero(F);
      for (int part = 0; part < PARTS; part++) {
        // Unpack nibbles on 32-bit lanes: x86 has no byte shifts, and this measured 1.6x faster.
        IntVector bytes = (IntVector) packed.castShape(I, part);
        FloatVector lo = (FloatVector) bytes.and(0x0f).sub(8).castShape(F, 0);
        FloatVector hi =
            (FloatVector) bytes.lanewise(VectorOperators.ASHR, 4).and(0x0f).sub(8).castShape(F, 0);
        blockSum = lo.fma(FloatVector.fromArray(F, x, xi + part * lanes), blockSum);
        blockSum = hi.fma(FloatVector.fromArray(F, x, xi + 16 + part * lanes), blockSum);
      }
      acc = blockSum.fma(FloatVector.broadcast(F, scale), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  @Override
  public float dotReference(MemorySegment w, long offset, float[] x, int xOffset, int n) {
    float sum = 0f;
    float[] block = new float[BLOCK];
    for (int b = 0; b < n / BLOCK; b++) {
      dequantizeReference(w, offset + (long) b * BLOCK_BYTES, block, 0, BLOCK);
      for (int j = 0; j < BLOCK; j++) {
        sum += block[j] * x[xOffset + b * BLOCK + j];
      }
    }
    return sum;
  }

  @Override
  public void dequantize(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    int lanes = F.length();
    long block = offset;
    int at = outOffset;
    for (int b = 0; b < n / BLOCK; b++, block += BLOCK_BYTES, at += BLOCK) {
      FloatVector scale = FloatVector.broadcast(F, Bytes.half(w, block));
      ByteVector packed = ByteVector.fromMemorySegment(B16, w, block + 2, ByteOrder.LITTLE_ENDIAN);
      for (int part = 0; part < PARTS; part++) {
        IntVector bytes = (IntVector) packed.castShape(I, part);
        FloatVector lo = (FloatVector) bytes.and(0x0f).sub(8).castShape(F, 0);
        FloatVector hi =
            (FloatVector) bytes.lanewise(VectorOperators.ASHR, 4).and(0x0f).sub(8).castShape(F, 0);
        lo.mul(scale).intoArray(out, at + part * lanes);
        hi.mul(scale).intoArray(out, at + 16 + part * lanes);
      }
    }
  }

  @Override
  public void dequantizeReference(MemorySegment w, long offset, float[] out, int outOffset, int n) {
    for (int b = 0; b < n / BLOCK; b++) {
      long block = offset + (long) b * BLOCK_BYTES;
      float scale = Bytes.half(w, block);
      int base = outOffset + b * BLOCK;
      for (int j = 0; j < 16; j++) {
        int packed = w.get(ValueLayout.JAVA_BYTE, block + 2 + j) & 0xff;
        out[base + j] = scale * ((packed & 0x0f) - 8);
        out[base + j + 16] = scale * ((packed >>> 4) - 8);
      }
    }
  }

  @Override
  public byte[] quantize(float[] values) {
    Q8_0Format.requireBlocks(values.length);
    byte[] bytes = new byte[values.length / BLOCK * BLOCK_BYTES];
    MemorySegment out = MemorySegment.ofArray(bytes);
    for (int b = 0; b < values.length / BLOCK; b++) {
      // GGML keeps the sign of the largest-magnitude weight so that it maps exactly to -8.
      float extreme = 0f;
      for (int j = 0; j < BLOCK; j++) {
        float v = values[b * BLOCK + j];
        if (Math.abs(v) > Math.abs(extreme)) {
          extreme = v;
        }
      }
      float scale = extreme / -8f;
      float inverse = scale != 0f ? 1f / scale : 0f;
      int block = b * BLOCK_BYTES;
      out.set(Bytes.SHORT, block, Half.fromFloat(scale));
      for (int j = 0; j < 16; j++) {
        int lo = Math.min(15, (int) (values[b * BLOCK + j] * inverse + 8.5f));
        int hi = Math.min(15, (int) (values[b * BLOCK + j + 16] * inverse + 8.5f));
        bytes[block + 2 + j] = (byte) (lo | (hi << 4));
      }
    }
    return bytes;
  }
}
