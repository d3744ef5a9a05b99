package dev.cromwell.engine.real;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.engine.RealModels;
import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.GgufTensor;
import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.kernels.formats.RearrangedFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Copy loading's rearranging (eight bytes at a time, straight from the mapped file, in parallel)
 * against the weight-at-a-time reference, on every rearrangeable matrix of the real SmolLM2 (Q4_1):
 * byte for byte.
 */
class RearrangingRealTensorsTest {
  @Test
  void everyMatrixOfSmolLm2RearrangesExactlyAsTheReference() {
    int matrices = 0;
    try (GgufFile file = GgufFile.open(RealModels.smollm2(), LoadMode.MMAP);
        Arena arena = Arena.ofShared()) {
      for (GgufTensor t : file.tensors().values()) {
        long[] dims = t.dims();
        Optional<RearrangedFormat> format =
            dims.length == 2 ? RearrangedFormat.of(t.type(), (int) dims[0]) : Optional.empty();
        if (format.isEmpty()) {
          continue;
        }
        int cols = (int) dims[0];
        long rows = dims[1];
        long bytes = rows * format.get().rowBytes(cols);
        MemorySegment fast = arena.allocate(bytes, 64);
        MemorySegment reference = arena.allocate(bytes, 64);
        format.get().rearrange(t.data(), fast, rows, cols);
        format.get().rearrangeReference(t.data(), reference, rows, cols);
        assertEquals(-1L, fast.mismatch(reference), t.name() + " (" + t.type() + ")");
        matrices++;
      }
    }
    // Rows of 576 weights are no multiple of 128: of SmolLM2's matrices the 30 ffn_down qualify.
    assertTrue(matrices >= 30, matrices + " matrices rearranged");
  }
}
