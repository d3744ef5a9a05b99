package dev.cromwell.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightFormatTest {
  private static final GgmlType[] COMPUTABLE = {
    GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0
  };

  static float[] random(Random rnd, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian() * scale;
    }
    return v;
  }

  /** Row lengths: odd ones for plain types, odd block counts for quantized ones. */
  static int[] lengths(GgmlType type) {
    if (type.blockSize() == 1) {
      return new int[] {1, 3, 7, 8, 15, 16, 17, 31, 33, 63, 65, 100, 257, 896, 1031};
    }
    return new int[] {32, 64, 96, 160, 224, 352, 896, 4864 / 2, 1056};
  }

  @ParameterizedTest
  @EnumSource(
      value = GgmlType.class,
      names = {"F32", "F16", "BF16", "Q8_0", "Q4_0"})
  void vectorDotMatchesScalarReferenceOnOddSizes(GgmlType type) {
    WeightFormat format = WeightFormat.of(type);
    Random rnd = new Random(42 + type.id());
    for (int n : lengths(type)) {
      float[] weights = random(rnd, n, 0.5f);
      float[] x = random(rnd, n + 5, 1f);
      // Place the row at an unaligned offset, as inside a GGUF file.
      byte[] encoded = format.quantize(weights);
      byte[] padded = new byte[encoded.length + 3];
      System.arraycopy(encoded, 0, padded, 3, encoded.length);
      MemorySegment seg = MemorySegment.ofArray(padded);
      for (int xOffset : new int[] {0, 5}) {
        float vector = format.dot(seg, 3, x, xOffset, n);
        float reference = format.dotReference(seg, 3, x, xOffset, n);
        double magnitude = 0;
        float[] decoded = new float[n];
        format.dequantize(seg, 3, decoded, 0, n);
        for (int i = 0; i < n; i++) {
          magnitude += Math.abs(decoded[i] * x[xOffset + i]);
        }
        assertEquals(
            reference, vector, 1e-5 * magnitude + 1e-6, type + " n=" + n + " xOffset=" + xOffset);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = GgmlType.class,
      names = {"F32", "F16", "BF16", "Q8_0", "Q4_0"})
  void quantizeThenDequantizeStaysWithinTheFormatsPrecision(GgmlType type) {
    WeightFormat format = WeightFormat.of(type);
    Random rnd = new Random(7);
    int n = 320;
    float[] weights = random(rnd, n, 1f);
    float[] decoded = new float[n];
    format.dequantize(MemorySegment.ofArray(format.quantize(weights)), 0, decoded, 0, n);
    double relative =
        switch (type) {
          case F32 -> 0;
          case F16 -> 1e-3;
          case BF16 -> 8e-3;
          case Q8_0 -> 1.0 / 127;
          case Q4_0 -> 1.0 / 7;
          default -> throw new AssertionError(type);
        };
    for (int b = 0; b < n / 32; b++) {
      float amax = 0;
      for (int j = 0; j < 32; j++) {
        amax = Math.max(amax, Math.abs(weights[b * 32 + j]));
      }
      for (int j = 0; j < 32; j++) {
        int i = b * 32 + j;
        double bound =
            type.blockSize() == 1 ? relative * Math.abs(weights[i]) + 1e-7 : relative * amax;
        assertTrue(
            Math.abs(decoded[i] - weights[i]) <= bound,
            type + " element " + i + ": " + weights[i] + " became " + decoded[i]);
      }
    }
    assertEquals(type.bytesFor(n), format.quantize(weights).length);
  }

  @Test
  void q8_0BlockLayoutIsScaleThenSignedBytes() {
    byte[] block = new byte[34];
    MemorySegment seg = MemorySegment.ofArray(block);
    seg.set(Bytes.SHORT, 0, Half.fromFloat(0.5f));
    for (int j = 0; j < 32; j++) {
      block[2 + j] = (byte) (j - 16);
    }
    float[] out = new float[32];
    WeightFormat.of(GgmlType.Q8_0).dequantize(seg, 0, out, 0, 32);
    for (int j = 0; j < 32; j++) {
      assertEquals(0.5f * (j - 16), out[j]);
    }
  }

  @Test
  void q4_0BlockLayoutPutsLowNibblesFirstAndHighNibblesSecond() {
    byte[] block = new byte[18];
    MemorySegment seg = MemorySegment.ofArray(block);
    seg.set(Bytes.SHORT, 0, Half.fromFloat(2f));
    for (int j = 0; j < 16; j++) {
      block[2 + j] = (byte) ((j & 0xf) | ((15 - j) << 4));
    }
    float[] out = new float[32];
    WeightFormat.of(GgmlType.Q4_0).dequantize(seg, 0, out, 0, 32);
    for (int j = 0; j < 16; j++) {
      assertEquals(2f * (j - 8), out[j], "low nibble " + j);
      assertEquals(2f * (15 - j - 8), out[j + 16], "high nibble " + j);
    }
  }

  @Test
  void halfVectorConversionMatchesScalarForEveryBitPattern() {
    int lanes = VectorWidth.FLOAT.length();
    short[] bits = new short[65536];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = (short) i;
    }
    MemorySegment seg = MemorySegment.ofArray(bits);
    for (int i = 0; i < bits.length; i += lanes) {
      var halves =
          jdk.incubator.vector.ShortVector.fromMemorySegment(
              VectorWidth.SHORT_PER_FLOAT, seg, i * 2L, java.nio.ByteOrder.nativeOrder());
      float[] widened = Half.toFloatVector(halves).toArray();
      float[] bf = Half.bf16ToFloatVector(halves).toArray();
      for (int l = 0; l < lanes; l++) {
        float expected = Half.toFloat(bits[i + l]);
        if (Float.isNaN(expected)) {
          assertTrue(Float.isNaN(widened[l]), "F16 NaN pattern " + (i + l));
        } else {
          assertEquals(expected, widened[l], "F16 pattern " + (i + l));
        }
        float expectedBf = Half.bf16ToFloat(bits[i + l]);
        assertEquals(Float.floatToRawIntBits(expectedBf), Float.floatToRawIntBits(bf[l]));
      }
    }
  }

  @Test
  void unsupportedTypeIsRefusedByName() {
    var e = assertThrows(UnsupportedOperationException.class, () -> WeightFormat.of(GgmlType.Q2_K));
    assertTrue(e.getMessage().contains("Q2_K"), e.getMessage());
  }

  @Test
  void matvecMatchesReferenceForEveryComputableType() {
    Random rnd = new Random(3);
    try (WorkerPool pool = new WorkerPool(3)) {
      for (GgmlType type : COMPUTABLE) {
        WeightFormat format = WeightFormat.of(type);
        int rows = 37;
        int cols = 96;
        byte[] encoded = format.quantize(random(rnd, rows * cols, 0.3f));
        float[] x = random(rnd, cols, 1f);
        float[] out = new float[rows];
        float[] expected = new float[rows];
        MemorySegment seg = MemorySegment.ofArray(encoded);
        MatVec.matvec(format, seg, 0, x, out, rows, cols, pool);
        MatVec.matvecReference(format, seg, 0, x, expected, rows, cols);
        for (int r = 0; r < rows; r++) {
          assertEquals(expected[r], out[r], 1e-4, type + " row " + r);
        }
      }
    }
  }
}
