package dev.cromwell.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The grouped layout against GGML's Q4_0: same weights, same products, bad shapes refused. */
class Q4_0GroupedFormatTest {
  private static final WeightFormat GGML = WeightFormat.of(GgmlType.Q4_0);
  private static final Q4_0GroupedFormat GROUPED = Q4_0GroupedFormat.INSTANCE;

  /** Row lengths of real models (896, 1536, 4864) and the smallest one, 128. */
  private static final int[] COLS = {128, 384, 896, 1536, 4864};

  /** {@code rows × cols} GGML Q4_0 weights, every row quantized on its own. */
  private static MemorySegment ggmlRows(Random rnd, int rows, int cols) {
    long rowBytes = GGML.rowBytes(cols);
    MemorySegment seg = MemorySegment.ofArray(new byte[(int) (rows * rowBytes)]);
    for (int r = 0; r < rows; r++) {
      byte[] row = GGML.quantize(WeightFormatTest.random(rnd, cols, 0.3f));
      MemorySegment.copy(MemorySegment.ofArray(row), 0, seg, r * rowBytes, rowBytes);
    }
    return seg;
  }

  private static MemorySegment grouped(Arena arena, MemorySegment ggml, int rows, int cols) {
    MemorySegment target = arena.allocate(rows * GROUPED.rowBytes(cols), 64);
    assertEquals(GROUPED, Q4_0GroupedFormat.rearrange(ggml, target, rows, cols));
    return target;
  }

  @Test
  void rearrangedRowsDecodeToExactlyTheSameWeights() {
    Random rnd = new Random(5);
    try (Arena arena = Arena.ofConfined()) {
      for (int cols : COLS) {
        int rows = 5;
        MemorySegment ggml = ggmlRows(rnd, rows, cols);
        MemorySegment grouped = grouped(arena, ggml, rows, cols);
        for (int r = 0; r < rows; r++) {
          float[] expected = new float[cols];
          float[] vector = new float[cols + 3];
          float[] reference = new float[cols + 3];
          GGML.dequantizeReference(ggml, r * GGML.rowBytes(cols), expected, 0, cols);
          GROUPED.dequantize(grouped, r * GROUPED.rowBytes(cols), vector, 3, cols);
          GROUPED.dequantizeReference(grouped, r * GROUPED.rowBytes(cols), reference, 3, cols);
          assertArrayEquals(
              expected, java.util.Arrays.copyOfRange(vector, 3, cols + 3), "cols " + cols);
          assertArrayEquals(reference, vector, "vector vs reference, cols " + cols);
        }
      }
    }
  }

  @Test
  void matvecMatchesGgmlQ4_0() {
    Random rnd = new Random(6);
    try (Arena arena = Arena.ofShared();
        WorkerPool pool = new WorkerPool(3)) {
      for (int cols : COLS) {
        int rows = 37;
        MemorySegment ggml = ggmlRows(rnd, rows, cols);
        MemorySegment grouped = grouped(arena, ggml, rows, cols);
        float[] x = WeightFormatTest.random(rnd, cols, 1f);
        float[] expected = new float[rows];
        float[] actual = new float[rows];
        MatVec.matvecReference(GGML, ggml, 0, x, expected, rows, cols);
        MatVec.matvec(GROUPED, grouped, 0, x, actual, rows, cols, pool);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
          GGML.dequantizeReference(ggml, r * GGML.rowBytes(cols), row, 0, cols);
          double magnitude = 0;
          for (int i = 0; i < cols; i++) {
            magnitude += Math.abs(row[i] * x[i]);
          }
          // The kernel takes the − 8 out per block (Σx), so it rounds a little differently.
          assertEquals(
              expected[r], actual[r], 1e-5 * magnitude + 1e-6, "cols " + cols + " row " + r);
        }
      }
    }
  }

  @Test
  void singleDotsReadXAtAnOffset() {
    Random rnd = new Random(7);
    try (Arena arena = Arena.ofConfined()) {
      int cols = 896;
      MemorySegment ggml = ggmlRows(rnd, 1, cols);
      MemorySegment grouped = grouped(arena, ggml, 1, cols);
      float[] x = WeightFormatTest.random(rnd, cols + 7, 1f);
      float expected = GGML.dotReference(ggml, 0, x, 7, cols);
      assertEquals(expected, GROUPED.dot(grouped, 0, x, 7, cols), 1e-3);
      assertEquals(expected, GROUPED.dotReference(grouped, 0, x, 7, cols), 1e-3);
    }
  }

  @Test
  void rowsAreWholeCacheLinesWithZeroPaddingAfterTheScales() {
    Random rnd = new Random(8);
    try (Arena arena = Arena.ofConfined()) {
      for (int cols : COLS) {
        long rowBytes = GROUPED.rowBytes(cols);
        assertEquals(0, rowBytes % 64, "cols " + cols);
        assertTrue(rowBytes >= GGML.rowBytes(cols));
        assertTrue(rowBytes < GGML.rowBytes(cols) + 64);
        MemorySegment grouped = grouped(arena, ggmlRows(rnd, 2, cols), 2, cols);
        long scales = 2L * (cols / 32);
        long nibbles = rowBytes - cols / 2;
        for (long at = scales; at < nibbles; at++) {
          assertEquals(0, grouped.get(ValueLayout.JAVA_BYTE, rowBytes + at), "cols " + cols);
        }
      }
    }
  }

  @Test
  void quantizeIsGgmlQ4_0InThisLayout() {
    float[] values = WeightFormatTest.random(new Random(9), 256, 0.5f);
    MemorySegment grouped = MemorySegment.ofArray(GROUPED.quantize(values));
    MemorySegment ggml = MemorySegment.ofArray(GGML.quantize(values));
    float[] expected = new float[256];
    float[] actual = new float[256];
    GGML.dequantize(ggml, 0, expected, 0, 256);
    GROUPED.dequantize(grouped, 0, actual, 0, 256);
    assertArrayEquals(expected, actual);
    assertEquals(GgmlType.Q4_0, GROUPED.type());
  }

  @Test
  void rowLengthsThatAreNotWholeGroupsAreRefused() {
    assertFalse(Q4_0GroupedFormat.supports(96));
    assertFalse(Q4_0GroupedFormat.supports(0));
    assertTrue(Q4_0GroupedFormat.supports(128));
    MemorySegment some = MemorySegment.ofArray(new byte[4096]);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Q4_0GroupedFormat.rearrange(some, some, 1, 96));
    assertTrue(e.getMessage().contains("96"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GROUPED.rowBytes(160));
    assertThrows(IllegalArgumentException.class, () -> GROUPED.quantize(new float[64]));
  }

  @Test
  void tooSmallSegmentsAreRefusedBeforeAnythingIsWritten() {
    MemorySegment ggml = MemorySegment.ofArray(new byte[(int) GGML.rowBytes(128)]);
    MemorySegment small = MemorySegment.ofArray(new byte[10]);
    assertThrows(
        IllegalArgumentException.class, () -> Q4_0GroupedFormat.rearrange(ggml, small, 1, 128));
    assertThrows(
        IllegalArgumentException.class, () -> Q4_0GroupedFormat.rearrange(ggml, ggml, 2, 128));
  }
}
