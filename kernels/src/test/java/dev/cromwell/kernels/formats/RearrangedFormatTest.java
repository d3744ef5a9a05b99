package dev.cromwell.kernels.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.ops.MatVec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The rearranged layouts against GGML's: same weights, same products, bad shapes refused. */
class RearrangedFormatTest {
  /** Row lengths of real models and the smallest ones; 768 and 8960 have odd super-block counts. */
  private static int[] cols(GgmlType type) {
    return type.blockSize() != 256
        ? new int[] {128, 384, 896, 1536, 4864}
        : new int[] {256, 768, 1536, 2048, 8960};
  }

  private static RearrangedFormat rearranged(GgmlType type, int cols) {
    return RearrangedFormat.of(type, cols).orElseThrow();
  }

  /** {@code rows × cols} GGML weights, every row quantized on its own. */
  private static MemorySegment ggmlRows(GgmlType type, Random rnd, int rows, int cols) {
    WeightFormat ggml = WeightFormat.of(type);
    long rowBytes = ggml.rowBytes(cols);
    MemorySegment seg = MemorySegment.ofArray(new byte[(int) (rows * rowBytes)]);
    for (int r = 0; r < rows; r++) {
      byte[] row = ggml.quantize(WeightFormatTest.random(rnd, cols, 0.3f));
      MemorySegment.copy(MemorySegment.ofArray(row), 0, seg, r * rowBytes, rowBytes);
    }
    return seg;
  }

  private static MemorySegment moved(
      Arena arena, RearrangedFormat format, MemorySegment ggml, int rows, int cols) {
    MemorySegment target = arena.allocate(rows * format.rowBytes(cols), 64);
    format.rearrange(ggml, target, rows, cols);
    return target;
  }

  @ParameterizedTest
  @MethodSource("dev.cromwell.kernels.formats.TensorTypes#rearranged")
  void rearrangedRowsDecodeToExactlyGgmlsWeights(GgmlType type) {
    WeightFormat ggmlFormat = WeightFormat.of(type);
    Random rnd = new Random(5);
    try (Arena arena = Arena.ofConfined()) {
      for (int cols : cols(type)) {
        RearrangedFormat format = rearranged(type, cols);
        assertEquals(type, format.type());
        int rows = 5;
        MemorySegment ggml = ggmlRows(type, rnd, rows, cols);
        MemorySegment moved = moved(arena, format, ggml, rows, cols);
        for (int r = 0; r < rows; r++) {
          float[] expected = new float[cols];
          float[] vector = new float[cols + 3];
          float[] reference = new float[cols + 3];
          ggmlFormat.dequantizeReference(ggml, r * ggmlFormat.rowBytes(cols), expected, 0, cols);
          format.dequantize(moved, r * format.rowBytes(cols), vector, 3, cols);
          format.dequantizeReference(moved, r * format.rowBytes(cols), reference, 3, cols);
          assertArrayEquals(expected, Arrays.copyOfRange(vector, 3, cols + 3), type + " " + cols);
          assertArrayEquals(reference, vector, "vector vs reference, " + type + " " + cols);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = GgmlType.class,
      names = {"Q4_0", "Q4_1"})
  void fourBitLayoutsTurnDownRowsWithANonFiniteScale(GgmlType type) {
    Random rnd = new Random(8);
    int cols = 256;
    RearrangedFormat format = rearranged(type, cols);
    MemorySegment ggml = ggmlRows(type, rnd, 3, cols);
    assertTrue(format.accepts(ggml, 3, cols));
    long blockBytes = WeightFormat.of(type).rowBytes(cols) / (cols / 32);
    for (short special : new short[] {0x7c00, (short) 0xfc00, 0x7e00}) {
      MemorySegment copy = MemorySegment.ofArray(ggml.toArray(ValueLayout.JAVA_BYTE));
      // Row 2, block 5: its d is Inf, −Inf or NaN.
      copy.set(ValueLayout.JAVA_SHORT_UNALIGNED, (2L * cols / 32 + 5) * blockBytes, special);
      assertFalse(format.accepts(copy, 3, cols), type + " scale " + special);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cromwell.kernels.formats.TensorTypes#rearranged")
  void matvecMatchesGgmlsReference(GgmlType type) {
    WeightFormat ggmlFormat = WeightFormat.of(type);
    Random rnd = new Random(6);
    try (Arena arena = Arena.ofShared();
        WorkerPool pool = new WorkerPool(3)) {
      for (int cols : cols(type)) {
        RearrangedFormat format = rearranged(type, cols);
        int rows = 37;
        MemorySegment ggml = ggmlRows(type, rnd, rows, cols);
        MemorySegment moved = moved(arena, format, ggml, rows, cols);
        float[] x = WeightFormatTest.random(rnd, cols, 1f);
        float[] expected = new float[rows];
        float[] actual = new float[rows];
        MatVec.matvecReference(ggmlFormat, ggml, 0, x, expected, rows, cols);
        MatVec.matvec(format, moved, 0, x, actual, rows, cols, pool);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
          ggmlFormat.dequantizeReference(ggml, r * ggmlFormat.rowBytes(cols), row, 0, cols);
          double magnitude = 0;
          for (int i = 0; i < cols; i++) {
            magnitude += Math.abs(row[i] * x[i]);
          }
          // The kernel takes the offsets out per block (Σx), so it rounds a little differently.
          assertEquals(
              expected[r], actual[r], 1e-5 * magnitude + 1e-6, type + " " + cols + " row " + r);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cromwell.kernels.formats.TensorTypes#rearranged")
  void singleDotsReadXAtAnOffset(GgmlType type) {
    WeightFormat ggmlFormat = WeightFormat.of(type);
    Random rnd = new Random(7);
    int cols = 1536;
    RearrangedFormat format = rearranged(type, cols);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ggml = ggmlRows(type, rnd, 1, cols);
      MemorySegment moved = moved(arena, format, ggml, 1, cols);
      float[] x = WeightFormatTest.random(rnd, cols + 7, 1f);
      float expected = ggmlFormat.dotReference(ggml, 0, x, 7, cols);
      assertEquals(expected, format.dot(moved, 0, x, 7, cols), 1e-3);
      assertEquals(expected, format.dotReference(moved, 0, x, 7, cols), 1e-3);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cromwell.kernels.formats.TensorTypes#rearranged")
  void rowsAreWholeCacheLinesAndAtMostOneLineLonger(GgmlType type) {
    for (int cols : cols(type)) {
      long rowBytes = rearranged(type, cols).rowBytes(cols);
      long ggmlBytes = WeightFormat.of(type).rowBytes(cols);
      assertEquals(0, rowBytes % 64, type + " " + cols);
      assertTrue(rowBytes >= ggmlBytes && rowBytes < ggmlBytes + 64 + cols / 64, type + " " + cols);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cromwell.kernels.formats.TensorTypes#rearranged")
  void quantizeIsGgmlsRoundingInTheNewLayout(GgmlType type) {
    float[] values = WeightFormatTest.random(new Random(9), 512, 0.5f);
    RearrangedFormat format = rearranged(type, 512);
    WeightFormat ggmlFormat = WeightFormat.of(type);
    float[] expected = new float[512];
    float[] actual = new float[512];
    ggmlFormat.dequantize(MemorySegment.ofArray(ggmlFormat.quantize(values)), 0, expected, 0, 512);
    format.dequantize(MemorySegment.ofArray(format.quantize(values)), 0, actual, 0, 512);
    assertArrayEquals(expected, actual);
  }

  @Test
  void onlyRowsOfWholeGroupsAreRearranged() {
    assertTrue(RearrangedFormat.of(GgmlType.Q4_0, 96).isEmpty());
    assertTrue(RearrangedFormat.of(GgmlType.Q4_0, 0).isEmpty());
    assertSame(FourBitGroupedFormat.Q4_0, RearrangedFormat.of(GgmlType.Q4_0, 128).orElseThrow());
    assertSame(FiveBitGroupedFormat.Q5_0, RearrangedFormat.of(GgmlType.Q5_0, 896).orElseThrow());
    assertSame(FiveBitGroupedFormat.Q5_1, RearrangedFormat.of(GgmlType.Q5_1, 896).orElseThrow());
    assertTrue(RearrangedFormat.of(GgmlType.Q5_1, 864).isEmpty());
    assertSame(FourBitGroupedFormat.Q4_1, RearrangedFormat.of(GgmlType.Q4_1, 896).orElseThrow());
    assertTrue(RearrangedFormat.of(GgmlType.Q5_0, 864).isEmpty());
    assertTrue(RearrangedFormat.of(GgmlType.Q4_K, 128).isEmpty());
    assertSame(Q4_KGroupedFormat.INSTANCE, RearrangedFormat.of(GgmlType.Q4_K, 256).orElseThrow());
    assertSame(Q5_KGroupedFormat.INSTANCE, RearrangedFormat.of(GgmlType.Q5_K, 1536).orElseThrow());
    assertTrue(RearrangedFormat.of(GgmlType.Q5_K, 896).isEmpty());
    assertSame(Q6_KGroupedFormat.INSTANCE, RearrangedFormat.of(GgmlType.Q6_K, 8960).orElseThrow());
    assertTrue(RearrangedFormat.of(GgmlType.Q6_K, 896).isEmpty());
    assertTrue(RearrangedFormat.of(GgmlType.Q8_0, 4096).isEmpty());
    assertFalse(FourBitGroupedFormat.Q4_0.holds(160));
    assertFalse(Q5_KGroupedFormat.INSTANCE.holds(128));
  }

  @Test
  void badShapesAndSmallSegmentsAreRefusedBeforeAnythingIsWritten() {
    MemorySegment some = MemorySegment.ofArray(new byte[4096]);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FourBitGroupedFormat.Q4_0.rearrange(some, some, 1, 96));
    assertTrue(e.getMessage().contains("96"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FourBitGroupedFormat.Q4_0.rowBytes(160));
    assertThrows(
        IllegalArgumentException.class, () -> Q4_KGroupedFormat.INSTANCE.quantize(new float[128]));
    MemorySegment ggml = MemorySegment.ofArray(new byte[(int) Q4_KFormat.INSTANCE.rowBytes(256)]);
    byte[] small = new byte[10];
    assertThrows(
        IllegalArgumentException.class,
        () -> Q4_KGroupedFormat.INSTANCE.rearrange(ggml, MemorySegment.ofArray(small), 1, 256));
    assertArrayEquals(new byte[10], small);
    assertThrows(
        IllegalArgumentException.class,
        () -> Q4_KGroupedFormat.INSTANCE.rearrange(ggml, ggml, 2, 256));
  }

  /**
   * The load path (eight bytes at a time, straight from the source) writes exactly the bytes of the
   * weight-at-a-time reference: over arbitrary bytes, so every bit of every field is moved (GGML's
   * quantizer never sets some, such as Q4_K's top scale bits), at every row length, from a source
   * at an odd offset (GGML's blocks are unaligned) into a target of fresh memory.
   */
  @ParameterizedTest
  @MethodSource("dev.cromwell.kernels.formats.TensorTypes#rearranged")
  void rearrangingMatchesTheReferenceByteForByte(GgmlType type) {
    Random rnd = new Random(11);
    try (Arena arena = Arena.ofShared()) {
      for (int cols : cols(type)) {
        RearrangedFormat format = rearranged(type, cols);
        int rows = 37;
        long ggmlBytes = rows * WeightFormat.of(type).rowBytes(cols);
        byte[] bytes = new byte[(int) ggmlBytes + 3];
        rnd.nextBytes(bytes);
        MemorySegment ggml = arena.allocate(bytes.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, ggml, 0, bytes.length);
        MemorySegment odd = ggml.asSlice(3, ggmlBytes);
        long targetBytes = rows * format.rowBytes(cols);
        MemorySegment fast = arena.allocate(targetBytes, 64);
        MemorySegment reference = arena.allocate(targetBytes, 64);
        format.rearrange(odd, fast, rows, cols);
        format.rearrangeReference(odd, reference, rows, cols);
        assertEquals(-1L, fast.mismatch(reference), type + " rows of " + cols);
      }
    }
  }
}
