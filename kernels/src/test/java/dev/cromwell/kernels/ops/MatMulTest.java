package dev.cromwell.kernels.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.GgmlType;
import dev.cromwell.kernels.formats.WeightFormat;
import dev.cromwell.kernels.formats.WeightFormatTest;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MatMulTest {
  @ParameterizedTest
  @MethodSource("dev.cromwell.kernels.formats.TensorTypes#computable")
  void batchedProductMatchesPerVectorReferenceForOddBatchSizes(GgmlType type) {
    WeightFormat format = WeightFormat.of(type);
    Random rnd = new Random(type.id());
    // 13 rows: whole groups of the outer-product kernel's 12 (6 at 256 bits) and a partial one.
    int rows = 13;
    int cols = type.blockSize() == 256 ? 512 : 96 + (type.blockSize() == 1 ? 5 : 0);
    MemorySegment w =
        MemorySegment.ofArray(format.quantize(WeightFormatTest.random(rnd, rows * cols, 0.2f)));
    try (WorkerPool pool = new WorkerPool(2)) {
      // Groups of 32 tokens (16 at 256 bits) go through the outer-product kernel, the rest (45 =
      // 32 + 13, 70 = 64 + 6) through the dot-product kernels, or, up to MatMul.MATVEC_TOKENS of
      // them (1, 2, 3, 34 = 32 + 2), through the one-token kernels, or, from MatMul.PAD_FROM (21;
      // 10) of them (28, 59 = 32 + 27; at 256 bits 28 = 16 + 12, 45 = 32 + 13), as one more
      // group, padded.
      for (int count : new int[] {1, 2, 3, 4, 7, 9, 28, 32, 34, 45, 59, 70}) {
        float[][] xs = new float[count][];
        for (int t = 0; t < count; t++) {
          xs[t] = WeightFormatTest.random(rnd, cols, 1f);
        }
        float[][] out = new float[count][rows];
        float[][] expected = new float[count][rows];
        MatMul.matmul(format, w, 0, xs, out, count, rows, cols, pool);
        MatMul.matmulReference(format, w, 0, xs, expected, count, rows, cols);
        for (int t = 0; t < count; t++) {
          for (int r = 0; r < rows; r++) {
            assertEquals(
                expected[t][r],
                out[t][r],
                1e-4 * (1 + Math.abs(expected[t][r])),
                type + " t=" + t + " r=" + r);
          }
        }
      }
    }
  }
}
