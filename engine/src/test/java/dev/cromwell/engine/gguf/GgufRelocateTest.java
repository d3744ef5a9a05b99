package dev.cromwell.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cromwell.kernels.formats.GgmlType;
import dev.cromwell.kernels.formats.WeightFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Moving a tensor of a copied file to memory of its own, for a faster layout. */
class GgufRelocateTest {
  @TempDir Path dir;

  private Path file() throws IOException {
    GgufWriter w = new GgufWriter();
    float[] values = new float[8192];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    WeightFormat f32 = WeightFormat.of(GgmlType.F32);
    w.addTensor("a", GgmlType.F32, new long[] {values.length}, f32.quantize(values));
    w.addTensor("b", GgmlType.F32, new long[] {4}, f32.quantize(new float[] {1, 2, 3, 4}));
    Path path = dir.resolve("t.gguf");
    w.write(path);
    return path;
  }

  @Test
  void aCopiedTensorMovesOnceAndItsNeighboursKeepTheirBytes() throws IOException {
    try (GgufFile g = GgufFile.open(file(), LoadMode.COPY)) {
      float[] seen = new float[2];
      Optional<MemorySegment> moved =
          g.relocate(
              "a",
              100,
              (old, target) -> {
                seen[0] = old.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 8191);
                target.set(ValueLayout.JAVA_BYTE, 99, (byte) 7);
              });
      assertTrue(moved.isPresent());
      assertEquals(8191f, seen[0], "fill sees the tensor's bytes");
      assertEquals(100, moved.get().byteSize());
      assertEquals(0, moved.get().address() % 64, "64-byte aligned");
      assertEquals(7, moved.get().get(ValueLayout.JAVA_BYTE, 99));
      assertFalse(g.relocate("a", 100, (old, target) -> {}).isPresent(), "never twice");
      assertFalse(g.relocate("missing", 100, (old, target) -> {}).isPresent());
      float[] b = new float[4];
      MemorySegment.copy(
          g.tensor("b").orElseThrow().data(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, b, 0, 4);
      assertArrayEquals(new float[] {1, 2, 3, 4}, b, "released pages stay inside the tensor");
    }
  }

  @Test
  void aMappedFileIsNeverRewritten() throws IOException {
    try (GgufFile g = GgufFile.open(file(), LoadMode.MMAP)) {
      assertFalse(g.relocate("a", 100, (old, target) -> {}).isPresent());
    }
  }

  @Test
  void aFailedFillLeavesTheTensorMovable() throws IOException {
    try (GgufFile g = GgufFile.open(file(), LoadMode.COPY)) {
      assertThrows(
          IllegalStateException.class,
          () ->
              g.relocate(
                  "a",
                  100,
                  (old, target) -> {
                    throw new IllegalStateException("bad rows");
                  }));
      assertTrue(g.relocate("a", 100, (old, target) -> {}).isPresent());
    }
  }
}
