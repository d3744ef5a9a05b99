package dev.cromwell.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.kernels.formats.GgmlType;
import dev.cromwell.kernels.formats.WeightFormat;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
  @TempDir Path dir;

  static GgufWriter everyValueType() {
    GgufWriter w = new GgufWriter();
    w.put("u8", new MetadataValue.Int(GgufValueType.UINT8, 200));
    w.put("i8", new MetadataValue.Int(GgufValueType.INT8, -100));
    w.put("u16", new MetadataValue.Int(GgufValueType.UINT16, 60000));
    w.put("i16", new MetadataValue.Int(GgufValueType.INT16, -30000));
    w.put("u32", new MetadataValue.Int(GgufValueType.UINT32, 4_000_000_000L));
    w.put("i32", new MetadataValue.Int(GgufValueType.INT32, -2_000_000_000L));
    w.put("u64", new MetadataValue.Int(GgufValueType.UINT64, 1L << 40));
    w.put("i64", new MetadataValue.Int(GgufValueType.INT64, -(1L << 50)));
    w.put("f32", new MetadataValue.Float32(3.25f));
    w.put("f64", new MetadataValue.Float64(-1e300));
    w.put("bool", new MetadataValue.Bool(true));
    w.put("str", new MetadataValue.Str("héllo ✓ 😀"));
    w.put("strings", MetadataValue.strings(List.of("a", "", "ß")));
    w.put("ints", MetadataValue.int32s(new int[] {1, -2, 3}));
    w.put(
        "nested",
        new MetadataValue.Array(
            GgufValueType.ARRAY,
            List.of(
                MetadataValue.floats(new float[] {1f, 2f}), MetadataValue.floats(new float[] {}))));
    return w;
  }

  @Test
  void everyValueTypeAndTensorSurvivesWriteThenRead() throws IOException {
    GgufWriter w = everyValueType();
    float[] values = new float[64 * 3];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) Math.sin(i);
    }
    for (GgmlType t :
        new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0}) {
      w.addTensor("t." + t, t, new long[] {64, 3}, WeightFormat.of(t).quantize(values));
    }
    Path file = dir.resolve("all.gguf");
    w.write(file);
    try (GgufFile g = GgufFile.open(file)) {
      assertEquals(3, g.version());
      assertEquals(200L, g.integer("u8").orElseThrow());
      assertEquals(-100L, g.integer("i8").orElseThrow());
      assertEquals(60000L, g.integer("u16").orElseThrow());
      assertEquals(-30000L, g.integer("i16").orElseThrow());
      assertEquals(4_000_000_000L, g.integer("u32").orElseThrow());
      assertEquals(-2_000_000_000L, g.integer("i32").orElseThrow());
      assertEquals(1L << 40, g.integer("u64").orElseThrow());
      assertEquals(-(1L << 50), g.integer("i64").orElseThrow());
      assertEquals(3.25, g.number("f32").orElseThrow());
      assertEquals(-1e300, g.number("f64").orElseThrow());
      assertEquals(true, g.bool("bool").orElseThrow());
      assertEquals("héllo ✓ 😀", g.string("str").orElseThrow());
      assertEquals(List.of("a", "", "ß"), g.strings("strings").orElseThrow());
      assertArrayEquals(new int[] {1, -2, 3}, g.ints("ints").orElseThrow());
      MetadataValue.Array nested = (MetadataValue.Array) g.get("nested").orElseThrow();
      assertEquals(2, nested.items().size());
      assertEquals(MetadataValue.floats(new float[] {1f, 2f}), nested.items().get(0));
      for (GgmlType t :
          new GgmlType[] {
            GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0
          }) {
        GgufTensor tensor = g.tensor("t." + t).orElseThrow();
        assertEquals(t, tensor.type());
        assertEquals(64, tensor.rowLength());
        assertEquals(3, tensor.rows());
        assertEquals(
            0, (tensor.data().address() - g.tensor("t.F32").orElseThrow().data().address()) % 32);
        byte[] expected = WeightFormat.of(t).quantize(values);
        assertArrayEquals(expected, tensor.data().toArray(ValueLayout.JAVA_BYTE));
      }
    }
  }

  @Test
  void wrongTypedLookupNamesTheKey() throws IOException {
    Path file = dir.resolve("m.gguf");
    everyValueType().write(file);
    try (GgufFile g = GgufFile.open(file)) {
      var e =
          org.junit.jupiter.api.Assertions.assertThrows(
              GgufFormatException.class, () -> g.string("u8"));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("u8"), e.getMessage());
    }
  }
}
