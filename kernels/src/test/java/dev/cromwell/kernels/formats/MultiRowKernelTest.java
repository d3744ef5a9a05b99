package dev.cromwell.kernels.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.ops.MatMul;
import dev.cromwell.kernels.ops.MatVec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The multi-row kernels ({@link WeightFormat#dotRowsBatch}, reached through {@link MatMul} for up
 * to {@link MatMul#MULTI_ROW_MAX} tokens): each activation row's result is the one-row kernel's bit
 * for bit (so a sequence decodes the same in a batch as alone), and near the scalar reference. Runs
 * at the CPU's width and with 256-bit vectors forced (the kernels module's second surefire run).
 */
class MultiRowKernelTest {
  /** Every format with a multi-row kernel, in the layouts models load them in, and row lengths. */
  static Stream<Arguments> formats() {
    List<Arguments> cases = new ArrayList<>();
    for (GgmlType type : TensorTypes.computable()) {
      for (int cols : type.blockSize() == 256 ? new int[] {256, 768} : new int[] {128, 896}) {
        if (cols % type.blockSize() != 0) {
          continue;
        }
        WeightFormat ggml = WeightFormat.of(type);
        if (ggml.hasMultiRowKernel()) {
          cases.add(Arguments.of(ggml, cols));
        }
        RearrangedFormat.of(type, cols)
            .filter(WeightFormat::hasMultiRowKernel)
            .ifPresent(f -> cases.add(Arguments.of(f, cols)));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("formats")
  void everyRowEqualsTheOneRowKernelBitForBitAndNearlyTheReference(WeightFormat format, int cols) {
    Random rnd = new Random(cols * 31L + format.type().id());
    int rows = 19;
    long rowBytes = format.rowBytes(cols);
    try (Arena arena = Arena.ofShared();
        WorkerPool pool = new WorkerPool(2)) {
      MemorySegment w = arena.allocate(rows * rowBytes, 64);
      for (int r = 0; r < rows; r++) {
        byte[] row = format.quantize(WeightFormatTest.random(rnd, cols, 0.3f));
        MemorySegment.copy(MemorySegment.ofArray(row), 0, w, r * rowBytes, rowBytes);
      }
      // Counts below, at and above a pass of four rows, up to the most MatMul sends here.
      for (int count : new int[] {1, 2, 3, 4, 5, 7, MatMul.MULTI_ROW_MAX}) {
        float[][] xs = new float[count][];
        for (int t = 0; t < count; t++) {
          xs[t] = WeightFormatTest.random(rnd, cols, 1f);
        }
        float[][] outs = new float[count][rows];
        MatMul.matmul(format, w, 0, xs, outs, count, rows, cols, pool);
        for (int t = 0; t < count; t++) {
          float[] alone = new float[rows];
          float[] reference = new float[rows];
          MatVec.matvec(format, w, 0, xs[t], alone, rows, cols, pool);
          MatVec.matvecReference(format, w, 0, xs[t], reference, rows, cols);
          for (int r = 0; r < rows; r++) {
            String where = format.type() + " " + cols + " count " + count + " t " + t + " r " + r;
            assertEquals(alone[r], outs[t][r], 0f, where);
            assertEquals(reference[r], outs[t][r], 1e-4 * (1 + Math.abs(reference[r])), where);
          }
        }
      }
    }
  }
}
