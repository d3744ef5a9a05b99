package dev.cromwell.engine.gguf;

import java.util.List;

/** One GGUF metadata value. Integers keep their declared GGUF type so that writing is lossless. */
public sealed interface MetadataValue {
  GgufValueType type();

  /** Any integer type; unsigned 64-bit values above {@link Long#MAX_VALUE} read as negative. */
  record Int(GgufValueType type, long value) implements MetadataValue {
    public Int {
      if (!type.isInteger()) {
        throw new IllegalArgumentException(type + " is not an integer type");
      }
    }
  }

  record Float32(float value) implements MetadataValue {
    @Override
    public GgufValueType type() {
      return GgufValueType.FLOAT32;
    }
  }

  record Float64(double value) implements MetadataValue {
    @Override
    public GgufValueType type() {
      return GgufValueType.FLOAT64;
    }
  }

  record Bool(boolean value) implements MetadataValue {
    @Override
    public GgufValueType type() {
      return GgufValueType.BOOL;
    }
  }

  record Str(String value) implements MetadataValue {
    @Override
    public GgufValueType type() {
      return GgufValueType.STRING;
    }
  }

  /** An array of values of one element type; arrays may nest. */
  record Array(GgufValueType elementType, List<MetadataValue> items) implements MetadataValue {
    public Array {
      items = List.copyOf(items);
    }

    @Override
    public GgufValueType type() {
      return GgufValueType.ARRAY;
    }
  }

  static MetadataValue strings(List<String> values) {
    return new Array(
        GgufValueType.STRING, values.stream().map(s -> (MetadataValue) new Str(s)).toList());
  }

  static MetadataValue floats(float[] values) {
    MetadataValue[] items = new MetadataValue[values.length];
    for (int i = 0; i < values.length; i++) {
      items[i] = new Float32(values[i]);
    }
    return new Array(GgufValueType.FLOAT32, List.of(items));
  }

  static MetadataValue int32s(int[] values) {
    MetadataValue[] items = new MetadataValue[values.length];
    for (int i = 0; i < values.length; i++) {
      items[i] = new Int(GgufValueType.INT32, values[i]);
    }
    return new Array(GgufValueType.INT32, List.of(items));
  }
}
