package dev.cromwell.engine.gguf;

import dev.cromwell.kernels.Bytes;
import dev.cromwell.kernels.formats.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the header of a GGUF file held in a segment. Every count, length, offset and dimension is
 * checked against the bytes that remain before it is used, so a corrupt file fails with a {@link
 * GgufFormatException} instead of allocating absurd amounts or reading past the end.
 */
final class GgufReader {
  static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
  static final int MAX_DIMS = 4;
  static final int MAX_ARRAY_DEPTH = 8;
  static final int DEFAULT_ALIGNMENT = 32;

  private final Path file;
  private final MemorySegment segment;
  private final long size;
  private long position;

  GgufReader(Path file, MemorySegment segment) {
    this.file = file;
    this.segment = segment;
    this.size = segment.byteSize();
  }

  record Header(
      int version,
      Map<String, MetadataValue> metadata,
      Map<String, GgufTensor> tensors,
      int alignment,
      long dataOffset) {}

  Header read() {
    if (size < 4) {
      throw error("magic", 0, "file is only " + size + " bytes; a GGUF file starts with \"GGUF\"");
    }
    int magic = segment.get(Bytes.INT, 0);
    if (magic != MAGIC) {
      // The file's own bytes are not quoted: a language client may name any file as its model.
      throw error("magic", 0, "not a GGUF file (it does not start with \"GGUF\")");
    }
    position = 4;
    long version = u32("version");
    if (version != 2 && version != 3) {
      throw error(
          "version", 4, "GGUF version " + version + " is not supported (supported: 2 and 3)");
    }
    long tensorCount = count("tensor_count", 24);
    long metadataCount = count("metadata_kv_count", 13);

    Map<String, MetadataValue> metadata = new LinkedHashMap<>();
    for (long i = 0; i < metadataCount; i++) {
      long keyOffset = position;
      String key = string("metadata key #" + i);
      long typeOffset = position;
      GgufValueType type = valueType("type of " + key);
      if (type == null) {
        throw error("type of " + key, typeOffset, "unknown metadata value type");
      }
      MetadataValue value = value(key, type, 0);
      if (metadata.putIfAbsent(key, value) != null) {
        throw error("metadata key", keyOffset, "duplicate key \"" + key + "\"");
      }
    }

    int alignment = alignment(metadata);

    record Info(String name, GgmlType type, long[] dims, long offset, long bytes, long at) {}
    List<Info> infos = new ArrayList<>();
    for (long i = 0; i < tensorCount; i++) {
      long at = position;
      String name = string("tensor #" + i + " name");
      long dimsOffset = position;
      long nDims = u32("dimension count of " + name);
      if (nDims < 1 || nDims > MAX_DIMS) {
        throw error(
            "dimension count of " + name, dimsOffset, nDims + " dimensions (must be 1 to 4)");
      }
      long[] dims = new long[(int) nDims];
      long elements = 1;
      for (int d = 0; d < nDims; d++) {
        long dimOffset = position;
        dims[d] = u64("dimension " + d + " of " + name);
        if (dims[d] <= 0) {
          throw error(
              "dimension " + d + " of " + name,
              dimOffset,
              "size " + Long.toUnsignedString(dims[d]));
        }
        try {
          elements = Math.multiplyExact(elements, dims[d]);
        } catch (ArithmeticException e) {
          throw error("dimensions of " + name, dimsOffset, "element count overflows");
        }
      }
      long typeOffset = position;
      long typeId = u32("type of " + name);
      GgmlType type = typeId <= Integer.MAX_VALUE ? GgmlType.fromId((int) typeId) : null;
      if (type == null) {
        throw error("type of " + name, typeOffset, "unknown tensor type id " + typeId);
      }
      if (dims[0] % type.blockSize() != 0) {
        throw error(
            "dimensions of " + name,
            dimsOffset,
            "row length "
                + dims[0]
                + " is not a multiple of "
                + type
                + "'s block size "
                + type.blockSize());
      }
      long bytes;
      try {
        bytes = type.bytesFor(elements);
      } catch (ArithmeticException e) {
        throw error("dimensions of " + name, dimsOffset, "byte size overflows");
      }
      long offsetAt = position;
      long offset = u64("data offset of " + name);
      if (offset < 0 || offset % alignment != 0) {
        throw error(
            "data offset of " + name,
            offsetAt,
            "offset "
                + Long.toUnsignedString(offset)
                + " is not a multiple of the alignment "
                + alignment);
      }
      infos.add(new Info(name, type, dims, offset, bytes, at));
    }

    long dataOffset = alignUp(position, alignment);
    if (tensorCount > 0 && dataOffset > size) {
      throw error("tensor data", position, "file ends before the tensor data section");
    }
    long dataSize = Math.max(0, size - dataOffset);
    Map<String, GgufTensor> tensors = new LinkedHashMap<>();
    for (Info info : infos) {
      if (info.offset > dataSize || info.bytes > dataSize - info.offset) {
        throw error(
            "data of " + info.name,
            dataOffset + info.offset,
            info.bytes
                + " bytes of "
                + info.type
                + " data do not fit: the file ends at byte "
                + size
                + " (truncated download?)");
      }
      MemorySegment data = segment.asSlice(dataOffset + info.offset, info.bytes);
      if (tensors.putIfAbsent(info.name, new GgufTensor(info.name, info.type, info.dims, data))
          != null) {
        throw error("tensor name", info.at, "duplicate tensor \"" + info.name + "\"");
      }
    }
    return new Header((int) version, metadata, tensors, alignment, dataOffset);
  }

  private int alignment(Map<String, MetadataValue> metadata) {
    MetadataValue value = metadata.get("general.alignment");
    if (value == null) {
      return DEFAULT_ALIGNMENT;
    }
    if (!(value instanceof MetadataValue.Int(var type, long a))
        || a <= 0
        || a > (1 << 20)
        || Long.bitCount(a) != 1) {
      throw error(
          "general.alignment", 0, "must be a power of two between 1 and 2^20, found " + value);
    }
    return (int) a;
  }

  private MetadataValue value(String key, GgufValueType type, int depth) {
    long at = position;
    return switch (type) {
      case UINT8 -> new MetadataValue.Int(type, u8(key) & 0xff);
      case INT8 -> new MetadataValue.Int(type, u8(key));
      case UINT16 -> new MetadataValue.Int(type, need(key, 2) == 0 ? 0 : readShort() & 0xffff);
      case INT16 -> new MetadataValue.Int(type, need(key, 2) == 0 ? 0 : readShort());
      case UINT32 -> new MetadataValue.Int(type, u32(key));
      case INT32 -> new MetadataValue.Int(type, (int) u32(key));
      case UINT64, INT64 -> new MetadataValue.Int(type, u64(key));
      case FLOAT32 -> new MetadataValue.Float32(Float.intBitsToFloat((int) u32(key)));
      case FLOAT64 -> new MetadataValue.Float64(Double.longBitsToDouble(u64(key)));
      case BOOL -> {
        byte b = u8(key);
        if (b != 0 && b != 1) {
          throw error(key, at, "boolean byte is " + b + " (must be 0 or 1)");
        }
        yield new MetadataValue.Bool(b == 1);
      }
      case STRING -> new MetadataValue.Str(string(key));
      case ARRAY -> {
        if (depth >= MAX_ARRAY_DEPTH) {
          throw error(key, at, "arrays nested deeper than " + MAX_ARRAY_DEPTH);
        }
        long elementTypeAt = position;
        GgufValueType elementType = valueType("element type of " + key);
        if (elementType == null) {
          throw error("element type of " + key, elementTypeAt, "unknown array element type");
        }
        long n = count("length of " + key, elementType.minimumSize());
        List<MetadataValue> items = new ArrayList<>((int) Math.min(n, 1 << 20));
        for (long i = 0; i < n; i++) {
          items.add(value(key + "[" + i + "]", elementType, depth + 1));
        }
        yield new MetadataValue.Array(elementType, items);
      }
    };
  }

  private GgufValueType valueType(String field) {
    return GgufValueType.fromId(u32(field));
  }

  /** Reads a count and checks that {@code count × minimumBytes} bytes remain. */
  private long count(String field, int minimumBytes) {
    long at = position;
    long n = u64(field);
    long remaining = size - position;
    if (n < 0 || n > Integer.MAX_VALUE - 8 || n * (long) Math.max(1, minimumBytes) > remaining) {
      throw error(
          field,
          at,
          "count "
              + Long.toUnsignedString(n)
              + " cannot fit in the "
              + remaining
              + " bytes that remain (corrupt or truncated file)");
    }
    return n;
  }

  private String string(String field) {
    long at = position;
    long length = u64("length of " + field);
    if (length < 0 || length > size - position || length > Integer.MAX_VALUE - 8) {
      throw error(
          field,
          at,
          "string length "
              + Long.toUnsignedString(length)
              + " runs past the end of the file ("
              + (size - position)
              + " bytes remain)");
    }
    byte[] bytes = new byte[(int) length];
    MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, position, bytes, 0, bytes.length);
    position += length;
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private int need(String field, int bytes) {
    if (size - position < bytes) {
      throw error(
          field,
          position,
          "needs " + bytes + " bytes but the file ends at byte " + size + " (truncated file)");
    }
    return bytes;
  }

  private byte u8(String field) {
    need(field, 1);
    return segment.get(ValueLayout.JAVA_BYTE, position++);
  }

  private short readShort() {
    short v = segment.get(Bytes.SHORT, position);
    position += 2;
    return v;
  }

  private long u32(String field) {
    need(field, 4);
    long v = segment.get(Bytes.INT, position) & 0xffffffffL;
    position += 4;
    return v;
  }

  private long u64(String field) {
    need(field, 8);
    long v = segment.get(Bytes.LONG, position);
    position += 8;
    return v;
  }

  static long alignUp(long value, int alignment) {
    return (value + alignment - 1) / alignment * alignment;
  }

  private GgufFormatException error(String field, long offset, String reason) {
    return new GgufFormatException(file, field, offset, reason);
  }
}
