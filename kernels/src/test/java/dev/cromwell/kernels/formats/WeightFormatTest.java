package dev.cromwell.kernels.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.Half;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.ops.MatVec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

public class WeightFormatTest {
  private static final GgmlType[] COMPUTABLE = {
    GgmlType.F32,
    GgmlType.F16,
    GgmlType.BF16,
    GgmlType.Q8_0,
    GgmlType.Q4_0,
    GgmlType.Q4_1,
    GgmlType.Q5_0,
    GgmlType.Q5_1,
    GgmlType.Q4_K,
    GgmlType.Q5_K,
    GgmlType.Q6_K
  };

  public static float[] random(Random rnd, int n, float scale) {
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
    if (type.blockSize() == 256) {
      return new int[] {256, 512, 768, 1280, 4864 / 256 * 256};
    }
    return new int[] {32, 64, 96, 160, 224, 352, 896, 4864 / 2, 1056};
  }

  @ParameterizedTest
  @MethodSource("dev.cromwell.kernels.formats.TensorTypes#computable")
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
  @MethodSource("dev.cromwell.kernels.formats.TensorTypes#computable")
  void quantizeThenDequantizeStaysWithinTheFormatsPrecision(GgmlType type) {
    WeightFormat format = WeightFormat.of(type);
    Random rnd = new Random(7);
    int n = 512;
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
          case Q4_1 -> 1.0 / 14; // (max - min) / 15 / 2, with max - min up to 2 amax
          case Q5_0 -> 1.0 / 15;
          case Q5_1 -> 1.0 / 30;
          case Q4_K -> 1.0 / 6; // 6-bit scale rounding on top of 16 levels
          case Q5_K -> 1.0 / 12;
          case Q6_K -> 1.0 / 24;
          default -> throw new AssertionError(type);
        };
    int group = type.blockSize() == 256 ? 256 : 32;
    for (int b = 0; b < n / group; b++) {
      float amax = 0;
      for (int j = 0; j < group; j++) {
        amax = Math.max(amax, Math.abs(weights[b * group + j]));
      }
      for (int j = 0; j < group; j++) {
        int i = b * group + j;
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
      float[] finite = Half.finiteToFloatVector(halves).toArray();
      float[] bf = Half.bf16ToFloatVector(halves).toArray();
      for (int l = 0; l < lanes; l++) {
        float expected = Half.toFloat(bits[i + l]);
        if (Float.isNaN(expected)) {
          assertTrue(Float.isNaN(widened[l]), "F16 NaN pattern " + (i + l));
        } else {
          assertEquals(expected, widened[l], "F16 pattern " + (i + l));
        }
        if (Float.isFinite(expected)) {
          assertEquals(
              Float.floatToRawIntBits(expected),
              Float.floatToRawIntBits(finite[l]),
              "finite F16 pattern " + (i + l));
        } else {
          // What the grouped layouts' check keeps away from the kernels: finite, but ≥ 2^16.
          assertTrue(Float.isFinite(finite[l]) && Math.abs(finite[l]) >= 0x1p16f);
        }
        float expectedBf = Half.bf16ToFloat(bits[i + l]);
        assertEquals(Float.floatToRawIntBits(expectedBf), Float.floatToRawIntBits(bf[l]));
      }
    }
  }

  @Test
  void finiteF16WeightsGetTheFourOperationWideningWithTheSameResults() {
    Random rnd = new Random(11);
    int n = 1007;
    float[] values = random(rnd, n, 0.3f);
    values[3] = 1e-6f; // subnormal in F16
    values[4] = -65504f;
    values[5] = -0f;
    MemorySegment seg = MemorySegment.ofArray(F16Format.INSTANCE.quantize(values));
    assertSame(F16Format.FINITE, F16Format.forWeights(seg, n));
    assertSame(F16Format.FINITE, WeightFormat.forWeights(GgmlType.F16, seg, n));
    assertSame(WeightFormat.of(GgmlType.Q8_0), WeightFormat.forWeights(GgmlType.Q8_0, seg, n));
    float[] x = random(rnd, n, 1f);
    assertEquals(F16Format.INSTANCE.dot(seg, 0, x, 0, n), F16Format.FINITE.dot(seg, 0, x, 0, n));
    float[] general = new float[n];
    float[] finite = new float[n];
    F16Format.INSTANCE.dequantize(seg, 0, general, 0, n);
    F16Format.FINITE.dequantize(seg, 0, finite, 0, n);
    org.junit.jupiter.api.Assertions.assertArrayEquals(general, finite);
    for (short special : new short[] {0x7c00, (short) 0xfc00, 0x7e01}) {
      for (int at : new int[] {0, 500, n - 1}) {
        MemorySegment copy = MemorySegment.ofArray(seg.toArray(ValueLayout.JAVA_BYTE));
        copy.set(Bytes.SHORT, 2L * at, special);
        assertSame(F16Format.INSTANCE, F16Format.forWeights(copy, n), special + " at " + at);
      }
    }
  }

  @Test
  void unsupportedTypeIsRefusedByName() {
    var e = assertThrows(UnsupportedOperationException.class, () -> WeightFormat.of(GgmlType.Q2_K));
    assertTrue(e.getMessage().contains("Q2_K"), e.getMessage());
  }

  @Test
  void kScalesReadAsTwoWordsEqualTheByteByByteDecoding() {
    Random rnd = new Random(12);
    for (int trial = 0; trial < 500; trial++) {
      byte[] field = new byte[12];
      rnd.nextBytes(field);
      MemorySegment seg = MemorySegment.ofArray(field);
      long low = seg.get(Bytes.LONG, 0);
      int high = seg.get(Bytes.INT, 8);
      for (int j = 0; j < 8; j++) {
        assertEquals(KScales.scale(seg, 0, j), KScales.scale(low, high, j), "scale " + j);
        assertEquals(KScales.min(seg, 0, j), KScales.min(low, high, j), "min " + j);
      }
    }
  }

  @Test
  void vectorDequantizeEqualsTheScalarReferenceExactly() {
    Random rnd = new Random(11);
    for (GgmlType type : COMPUTABLE) {
      WeightFormat format = WeightFormat.of(type);
      for (int n : lengths(type)) {
        byte[] encoded = format.quantize(random(rnd, n, 0.7f));
        byte[] padded = new byte[encoded.length + 3];
        System.arraycopy(encoded, 0, padded, 3, encoded.length);
        MemorySegment seg = MemorySegment.ofArray(padded);
        float[] vector = new float[n + 2];
        float[] reference = new float[n + 2];
        format.dequantize(seg, 3, vector, 2, n);
        format.dequantizeReference(seg, 3, reference, 2, n);
        org.junit.jupiter.api.Assertions.assertArrayEquals(reference, vector, type + " n=" + n);
      }
    }
  }

  @Test
  void matvecMatchesReferenceForEveryComputableType() {
    Random rnd = new Random(3);
    try (WorkerPool pool = new WorkerPool(3)) {
      for (GgmlType type : COMPUTABLE) {
        WeightFormat format = WeightFormat.of(type);
        int rows = 37;
        int cols = 768;
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

  /** Hand-built blocks decoded with GGML's formulas, checked element by element. */
  @Test
  void q4_1AndQ5LayoutsMatchGgml() {
    byte[] q41 = new byte[20];
    MemorySegment s41 = MemorySegment.ofArray(q41);
    s41.set(Bytes.SHORT, 0, Half.fromFloat(0.5f));
    s41.set(Bytes.SHORT, 2, Half.fromFloat(-1f));
    for (int j = 0; j < 16; j++) {
      q41[4 + j] = (byte) (j | ((15 - j) << 4));
    }
    float[] out = new float[32];
    WeightFormat.of(GgmlType.Q4_1).dequantize(s41, 0, out, 0, 32);
    for (int j = 0; j < 16; j++) {
      assertEquals(0.5f * j - 1f, out[j]);
      assertEquals(0.5f * (15 - j) - 1f, out[j + 16]);
    }
    byte[] q50 = new byte[22];
    MemorySegment s50 = MemorySegment.ofArray(q50);
    s50.set(Bytes.SHORT, 0, Half.fromFloat(1f));
    s50.set(Bytes.INT, 2, 0x00010002); // high bit of weight 1 and of weight 16
    for (int j = 0; j < 16; j++) {
      q50[6 + j] = (byte) 0x33;
    }
    WeightFormat.of(GgmlType.Q5_0).dequantize(s50, 0, out, 0, 32);
    assertEquals(3 - 16, out[0]);
    assertEquals(3 + 16 - 16, out[1]);
    assertEquals(3 + 16 - 16, out[16]);
    assertEquals(3 - 16, out[17]);
  }

  @Test
  void q4_KAndQ6_KLayoutsMatchGgml() {
    byte[] b = new byte[144];
    MemorySegment s = MemorySegment.ofArray(b);
    s.set(Bytes.SHORT, 0, Half.fromFloat(1f)); // d
    s.set(Bytes.SHORT, 2, Half.fromFloat(0.5f)); // dmin
    // sub-block 0: scale 2, min 3; sub-block 5: scale 33 (low 1, high 2), min 17 (low 1, high 1)
    b[4] = 2;
    b[8] = 3;
    b[4 + 1] = (byte) (2 << 6); // top bits of scale 5 live in byte 1
    b[4 + 5] = (byte) (1 << 6); // top bits of min 5 live in byte 5
    b[4 + 9] = (byte) (1 | (1 << 4)); // low nibbles of scale 5 and min 5
    b[16] = 0x75; // first chunk: weight 0 = 5, weight 32 = 7
    b[16 + 2 * 32 + 1] = (byte) 0x90; // third chunk (sub-blocks 4, 5), l = 1: weight 161 = 9
    float[] out = new float[256];
    WeightFormat.of(GgmlType.Q4_K).dequantize(s, 0, out, 0, 256);
    assertEquals(1f * 2 * 5 - 0.5f * 3, out[0]);
    assertEquals(1f * 33 * 9 - 0.5f * 17, out[128 + 32 + 1]);

    byte[] k6 = new byte[210];
    MemorySegment s6 = MemorySegment.ofArray(k6);
    s6.set(Bytes.SHORT, 208, Half.fromFloat(0.25f));
    for (int i = 0; i < 16; i++) {
      k6[192 + i] = (byte) (i + 1);
    }
    k6[0] = 0x21; // weight 0 low = 1, weight 64 low = 2
    k6[128] = (byte) 0b11_10_01_00; // highs of weights 0, 32, 64, 96 = 0, 1, 2, 3
    k6[64 + 40] = 0x0f; // second half, ql index 40 = l 8 of ql[l+32]: weight 128 + 32 + 8 low = 15
    float[] o6 = new float[256];
    WeightFormat.of(GgmlType.Q6_K).dequantize(s6, 0, o6, 0, 256);
    assertEquals(0.25f * 1 * (1 - 32), o6[0]);
    assertEquals(0.25f * 3 * ((0 | (1 << 4)) - 32), o6[32]);
    assertEquals(0.25f * 5 * ((2 | (2 << 4)) - 32), o6[64]);
    assertEquals(0.25f * 7 * ((0 | (3 << 4)) - 32), o6[96]);
    assertEquals(0.25f * 11 * (15 - 32), o6[128 + 40]);
  }
}
