package dev.cromwell.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.LoadMode;
import dev.cromwell.kernels.formats.F16Format;
import dev.cromwell.kernels.formats.FiveBitGroupedFormat;
import dev.cromwell.kernels.formats.FourBitGroupedFormat;
import dev.cromwell.kernels.formats.GgmlType;
import dev.cromwell.kernels.formats.Q4_KGroupedFormat;
import dev.cromwell.kernels.formats.Q5_KGroupedFormat;
import dev.cromwell.kernels.formats.Q6_KGroupedFormat;
import dev.cromwell.kernels.formats.RearrangedFormat;
import dev.cromwell.kernels.formats.WeightFormat;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which layout matrices get: rearranged when copied and rows allow it, GGML's otherwise. */
class RearrangedLayoutTest {
  @TempDir Path dir;

  private Path model(int hidden, GgmlType type) {
    return TinyModels.write(
        dir,
        new RandomModelWriter.Spec(
            "llama",
            hidden,
            1,
            4,
            2,
            2 * hidden,
            false,
            false,
            type,
            10_000.0,
            1e-6f,
            64,
            0.06f,
            3),
        "ggml-vocab-llama-spm.gguf");
  }

  private static LayerWeights firstLayer(Path path, LoadMode mode) {
    try (Model model = Model.load(path, new Model.Options(1, 0, 8, mode, KvCache.Precision.F32))) {
      return model.weights().layers().getFirst();
    }
  }

  @Test
  void copiedQ4_0RowsOfWholeGroupsUseTheGroupedLayout() {
    Path path = model(256, GgmlType.Q4_0);
    LayerWeights copied = firstLayer(path, LoadMode.COPY);
    assertSame(FourBitGroupedFormat.Q4_0, copied.query().format());
    assertSame(FourBitGroupedFormat.Q4_0, copied.down().format());
    assertEquals(copied.query().rows() * 192L, copied.query().bytes(), "64-byte aligned rows");
    assertSame(WeightFormat.of(GgmlType.Q4_0), firstLayer(path, LoadMode.MMAP).query().format());
  }

  @ParameterizedTest
  @EnumSource(
      value = GgmlType.class,
      names = {"Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
  void copiedTypesUseTheirGroupedLayouts(GgmlType type) {
    RearrangedFormat grouped =
        switch (type) {
          case Q4_1 -> FourBitGroupedFormat.Q4_1;
          case Q5_0 -> FiveBitGroupedFormat.Q5_0;
          case Q5_1 -> FiveBitGroupedFormat.Q5_1;
          case Q4_K -> Q4_KGroupedFormat.INSTANCE;
          case Q5_K -> Q5_KGroupedFormat.INSTANCE;
          default -> Q6_KGroupedFormat.INSTANCE;
        };
    Path path = model(256, type);
    LayerWeights copied = firstLayer(path, LoadMode.COPY);
    assertSame(grouped, copied.query().format());
    assertSame(grouped, copied.down().format());
    assertSame(WeightFormat.of(type), firstLayer(path, LoadMode.MMAP).query().format());
  }

  @Test
  void aQ4_0MatrixWithANonFiniteScaleKeepsGgmlLayout() throws Exception {
    Path path = model(256, GgmlType.Q4_0);
    byte[] file = Files.readAllBytes(path);
    byte[] firstBlocks;
    try (GgufFile gguf = GgufFile.open(path, LoadMode.MMAP)) {
      firstBlocks =
          gguf.tensor("blk.0.attn_q.weight")
              .orElseThrow()
              .data()
              .asSlice(0, 64)
              .toArray(ValueLayout.JAVA_BYTE);
    }
    int at = indexOf(file, firstBlocks);
    // The first block's d becomes +Inf: the grouped kernel assumes finite scales.
    file[at] = 0x00;
    file[at + 1] = 0x7c;
    Files.write(path, file);
    LayerWeights copied = firstLayer(path, LoadMode.COPY);
    assertSame(WeightFormat.of(GgmlType.Q4_0), copied.query().format());
    assertSame(FourBitGroupedFormat.Q4_0, copied.key().format(), "the other matrices are fine");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("tensor bytes not found in the file");
  }

  @Test
  void f16MatricesOfFiniteWeightsWidenInFourOperations() {
    Path path = model(256, GgmlType.F16);
    assertSame(F16Format.FINITE, firstLayer(path, LoadMode.COPY).query().format());
    assertSame(F16Format.FINITE, firstLayer(path, LoadMode.MMAP).down().format());
  }

  @Test
  void otherRowLengthsKeepGgmlLayout() {
    assertSame(
        WeightFormat.of(GgmlType.Q4_0),
        firstLayer(model(96, GgmlType.Q4_0), LoadMode.COPY).query().format());
  }
}
