package dev.cromwell.engine.gguf;

import dev.cromwell.kernels.formats.GgmlType;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files: metadata, tensor infos, aligned tensor data. The file is written to a
 * temporary sibling and renamed into place, so a failure never leaves a half-written model.
 */
public final class GgufWriter {
  /**
   * Supplies a tensor's bytes when the file is written, so large tensors need not sit in memory.
   */
  @FunctionalInterface
  public interface TensorBytes {
    void writeTo(OutputStream out) throws IOException;
  }

  private record PendingTensor(
      String name, GgmlType type, long[] dims, long bytes, TensorBytes data) {}

  private final Map<String, MetadataValue> metadata = new LinkedHashMap<>();
  private final List<PendingTensor> tensors = new ArrayList<>();

  public GgufWriter put(String key, MetadataValue value) {
    metadata.put(key, value);
    return this;
  }

  public GgufWriter putString(String key, String value) {
    return put(key, new MetadataValue.Str(value));
  }

  public GgufWriter putUInt32(String key, long value) {
    return put(key, new MetadataValue.Int(GgufValueType.UINT32, value));
  }

  public GgufWriter putFloat32(String key, float value) {
    return put(key, new MetadataValue.Float32(value));
  }

  public GgufWriter putBool(String key, boolean value) {
    return put(key, new MetadataValue.Bool(value));
  }

  /** Adds a tensor whose encoded bytes are at hand. {@code dims} are in GGUF order. */
  public GgufWriter addTensor(String name, GgmlType type, long[] dims, byte[] data) {
    return addTensor(name, type, dims, out -> out.write(data));
  }

  /** Adds a tensor whose bytes are produced while writing. */
  public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorBytes data) {
    long elements = 1;
    for (long d : dims) {
      elements = Math.multiplyExact(elements, d);
    }
    long bytes = type.bytesFor(elements);
    if (bytes < 0 || dims[0] % type.blockSize() != 0) {
      throw new IllegalArgumentException(
          name + ": row length " + dims[0] + " is not a multiple of " + type + "'s block size");
    }
    tensors.add(new PendingTensor(name, type, dims.clone(), bytes, data));
    return this;
  }

  /** Writes the file atomically. */
  public void write(Path path) throws IOException {
    int alignment = GgufReader.DEFAULT_ALIGNMENT;
    if (metadata.get("general.alignment") instanceof MetadataValue.Int(var t, long a)) {
      if (a <= 0 || a > (1 << 20) || Long.bitCount(a) != 1) {
        throw new IllegalArgumentException("general.alignment must be a power of two, got " + a);
      }
      alignment = (int) a;
    }
    Path parent = path.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temporary = Files.createTempFile(parent, path.getFileName().toString(), ".partial");
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        CountingStream counting =
            new CountingStream(
                new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
        DataOutputStream out = new DataOutputStream(counting);
        writeInt(out, GgufReader.MAGIC);
        writeInt(out, 3);
        writeLong(out, tensors.size());
        writeLong(out, metadata.size());
        for (Map.Entry<String, MetadataValue> e : metadata.entrySet()) {
          writeString(out, e.getKey());
          writeInt(out, e.getValue().type().id());
          writeValue(out, e.getValue());
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
          writeString(out, t.name);
          writeInt(out, t.dims.length);
          for (long d : t.dims) {
            writeLong(out, d);
          }
          writeInt(out, t.type.id());
          writeLong(out, offset);
          offset = GgufReader.alignUp(offset + t.bytes, alignment);
        }
        pad(out, counting, alignment);
        for (PendingTensor t : tensors) {
          long start = counting.count;
          t.data.writeTo(out);
          long written = counting.count - start;
          if (written != t.bytes) {
            throw new IOException(
                t.name
                    + ": wrote "
                    + written
                    + " bytes but "
                    + t.type
                    + " "
                    + java.util.Arrays.toString(t.dims)
                    + " needs "
                    + t.bytes);
          }
          pad(out, counting, alignment);
        }
        out.flush();
        channel.force(true);
      }
      Files.move(
          temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private static void pad(DataOutputStream out, CountingStream counting, int alignment)
      throws IOException {
    long padding = GgufReader.alignUp(counting.count, alignment) - counting.count;
    for (long i = 0; i < padding; i++) {
      out.write(0);
    }
  }

  private static void writeValue(DataOutputStream out, MetadataValue value) throws IOException {
    switch (value) {
      case MetadataValue.Int(var type, long v) -> {
        switch (type.size()) {
          case 1 -> out.write((int) v);
          case 2 -> {
            out.write((int) v);
            out.write((int) (v >>> 8));
          }
          case 4 -> writeInt(out, (int) v);
          default -> writeLong(out, v);
        }
      }
      case MetadataValue.Float32(float f) -> writeInt(out, Float.floatToRawIntBits(f));
      case MetadataValue.Float64(double d) -> writeLong(out, Double.doubleToRawLongBits(d));
      case MetadataValue.Bool(boolean b) -> out.write(b ? 1 : 0);
      case MetadataValue.Str(String s) -> writeString(out, s);
      case MetadataValue.Array(var elementType, var items) -> {
        writeInt(out, elementType.id());
        writeLong(out, items.size());
        for (MetadataValue item : items) {
          if (item.type() != elementType) {
            throw new IllegalArgumentException(
                "array of " + elementType + " holds a " + item.type());
          }
          writeValue(out, item);
        }
      }
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    writeLong(out, bytes.length);
    out.write(bytes);
  }

  private static void writeInt(DataOutputStream out, int v) throws IOException {
    out.writeInt(Integer.reverseBytes(v));
  }

  private static void writeLong(DataOutputStream out, long v) throws IOException {
    out.writeLong(Long.reverseBytes(v));
  }

  private static final class CountingStream extends java.io.FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
