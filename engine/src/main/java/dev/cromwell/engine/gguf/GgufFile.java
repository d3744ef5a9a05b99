package dev.cromwell.engine.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A GGUF file mapped into memory once. Metadata is parsed eagerly; tensors are views of the
 * mapping, so opening a multi-gigabyte model costs milliseconds and resident memory is only what
 * the model touches. Closing the file unmaps it: tensors must not be used afterwards.
 */
public final class GgufFile implements AutoCloseable {
  private final Path path;
  private final AutoCloseable memory;
  private final LoadMode mode;
  private final long hugePageBytes;
  private final MemorySegment mapping;
  private final int version;
  private final Map<String, MetadataValue> metadata;
  private final Map<String, GgufTensor> tensors;
  private final int alignment;
  private final long dataOffset;
  private final Set<String> relocated = new HashSet<>();
  private final List<AnonymousMemory> relocations = new ArrayList<>();
  private long slabUsed;
  private static final long SLAB = 64L << 20;

  private GgufFile(
      Path path,
      AutoCloseable memory,
      LoadMode mode,
      MemorySegment mapping,
      GgufReader.Header header,
      long hugePageBytes) {
    this.path = path;
    this.hugePageBytes = hugePageBytes;
    this.memory = memory;
    this.mode = mode;
    this.mapping = mapping;
    this.version = header.version();
    this.metadata = Collections.unmodifiableMap(header.metadata());
    this.tensors = Collections.unmodifiableMap(header.tensors());
    this.alignment = header.alignment();
    this.dataOffset = header.dataOffset();
  }

  /**
   * Maps and parses {@code path}.
   *
   * @throws GgufFormatException if the file is not a valid GGUF file
   * @throws UncheckedIOException if it cannot be read
   */
  public static GgufFile open(Path path) {
    return open(path, LoadMode.MMAP);
  }

  /**
   * Opens {@code path} by mapping it or by copying it into private memory ({@link LoadMode}).
   *
   * @throws GgufFormatException if the file is not a valid GGUF file
   * @throws UncheckedIOException if it cannot be read
   */
  public static GgufFile open(Path path, LoadMode mode) {
    if (!Files.exists(path)) {
      throw new UncheckedIOException(
          new NoSuchFileException(path.toString(), null, "model file not found"));
    }
    if (Files.isDirectory(path)) {
      throw new UncheckedIOException(
          new IOException(path + " is a directory; pass the path of a .gguf file"));
    }
    if (!Files.isRegularFile(path)) {
      // A FIFO or device would block or never end; only a regular file can be a model.
      throw new UncheckedIOException(
          new IOException(path + " is not a regular file; pass the path of a .gguf file"));
    }
    AutoCloseable memory = null;
    long hugePages = 0;
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      MemorySegment bytes;
      if (size == 0) {
        bytes = MemorySegment.NULL;
      } else if (mode == LoadMode.MMAP) {
        Arena arena = Arena.ofShared();
        memory = arena;
        bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        hugePages = HugeFilePages.apply(bytes, path);
      } else {
        CopiedFile copied = CopiedFile.open(channel, size);
        memory = copied;
        GgufReader.Header header = new GgufReader(path, copied.mapped()).read();
        return new GgufFile(path, copied, mode, copied.memory().segment(), copied.copy(header), 0);
      }
      GgufReader.Header header = new GgufReader(path, bytes).read();
      return new GgufFile(path, memory, mode, bytes, header, hugePages);
    } catch (IOException e) {
      closeQuietly(memory);
      throw new UncheckedIOException(path + ": cannot read: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(memory);
      throw e;
    }
  }

  private static void closeQuietly(AutoCloseable memory) {
    if (memory != null) {
      try {
        memory.close();
      } catch (Exception ignored) {
        // already failing; the first error is the one to report
      }
    }
  }

  /**
   * Gives tensor {@code name} new private memory of {@code size} bytes, 64-byte aligned and backed
   * by huge pages where possible, for a layout that is faster to compute with: {@code fill} gets
   * the tensor's current bytes and the new memory, and writes the new layout. The old bytes are
   * then returned to the OS, so the tensor's {@link GgufTensor#data()} must not be read again. The
   * new memory lives as long as this file.
   *
   * @return the new memory; empty when the file is mapped (read-only, shared with the page cache)
   *     or the tensor was relocated before, so no tensor is rewritten twice
   */
  public synchronized Optional<MemorySegment> relocate(
      String name, long size, BiConsumer<MemorySegment, MemorySegment> fill) {
    GgufTensor tensor = tensors.get(name);
    if (mode != LoadMode.COPY || tensor == null || !relocated.add(name)) {
      return Optional.empty();
    }
    MemorySegment target = allocateRelocation(size);
    try {
      fill.accept(tensor.data(), target);
    } catch (RuntimeException | Error e) {
      relocated.remove(name);
      throw e;
    }
    if (memory instanceof CopiedFile copy) {
      copy.release(tensor.data());
    }
    return Optional.of(target);
  }

  /**
   * 64-byte aligned memory from slabs of at least {@value #SLAB} bytes: one mapping per tensor
   * would round every small matrix up to a 2 MiB huge page.
   */
  private MemorySegment allocateRelocation(long size) {
    long aligned = (size + 63) / 64 * 64;
    AnonymousMemory slab = relocations.isEmpty() ? null : relocations.getLast();
    if (slab == null || slabUsed + aligned > slab.segment().byteSize()) {
      slab = AnonymousMemory.allocate(Math.max(SLAB, aligned));
      relocations.add(slab);
      slabUsed = 0;
    }
    MemorySegment target = slab.segment().asSlice(slabUsed, size);
    slabUsed += aligned;
    return target;
  }

  /**
   * Bytes of a mapped file that the OS maps with 2 MiB pages ({@link HugeFilePages}); 0 for a
   * copied file (whose memory is huge pages itself where possible) or where unknown.
   */
  public long hugePageBytes() {
    return hugePageBytes;
  }

  /** How the file's bytes are held. */
  public LoadMode loadMode() {
    return mode;
  }

  public Path path() {
    return path;
  }

  public int version() {
    return version;
  }

  public int alignment() {
    return alignment;
  }

  /** Byte offset of the tensor data section. */
  public long dataOffset() {
    return dataOffset;
  }

  /** Size of the file in bytes. */
  public long size() {
    return mapping.byteSize();
  }

  public Map<String, MetadataValue> metadata() {
    return metadata;
  }

  public Map<String, GgufTensor> tensors() {
    return tensors;
  }

  public Optional<GgufTensor> tensor(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  public Optional<MetadataValue> get(String key) {
    return Optional.ofNullable(metadata.get(key));
  }

  /** A string value, or empty if absent. A value of another type is an error naming the key. */
  public Optional<String> string(String key) {
    return get(key)
        .map(
            v -> {
              if (v instanceof MetadataValue.Str(String s)) {
                return s;
              }
              throw wrongType(key, v, "a string");
            });
  }

  /** An integer value (of any integer type), or empty. */
  public Optional<Long> integer(String key) {
    return get(key)
        .map(
            v -> {
              if (v instanceof MetadataValue.Int(var t, long n)) {
                return n;
              }
              throw wrongType(key, v, "an integer");
            });
  }

  /** A float value (FLOAT32 or FLOAT64; integers are accepted too), or empty. */
  public Optional<Double> number(String key) {
    return get(key)
        .map(
            v ->
                switch (v) {
                  case MetadataValue.Float32(float f) -> (double) f;
                  case MetadataValue.Float64(double d) -> d;
                  case MetadataValue.Int(var t, long n) -> (double) n;
                  default -> throw wrongType(key, v, "a number");
                });
  }

  public Optional<Boolean> bool(String key) {
    return get(key)
        .map(
            v -> {
              if (v instanceof MetadataValue.Bool(boolean b)) {
                return b;
              }
              throw wrongType(key, v, "a boolean");
            });
  }

  /** An array of strings, or empty. */
  public Optional<List<String>> strings(String key) {
    return array(key, GgufValueType.STRING)
        .map(items -> items.stream().map(i -> ((MetadataValue.Str) i).value()).toList());
  }

  /** An array of integers as ints, or empty. */
  public Optional<int[]> ints(String key) {
    return get(key)
        .map(
            v -> {
              if (v instanceof MetadataValue.Array(var t, var items) && t.isInteger()) {
                int[] out = new int[items.size()];
                for (int i = 0; i < out.length; i++) {
                  out[i] = (int) ((MetadataValue.Int) items.get(i)).value();
                }
                return out;
              }
              throw wrongType(key, v, "an array of integers");
            });
  }

  /** An array of float32 values, or empty. */
  public Optional<float[]> floats(String key) {
    return array(key, GgufValueType.FLOAT32)
        .map(
            items -> {
              float[] out = new float[items.size()];
              for (int i = 0; i < out.length; i++) {
                out[i] = ((MetadataValue.Float32) items.get(i)).value();
              }
              return out;
            });
  }

  private Optional<List<MetadataValue>> array(String key, GgufValueType elementType) {
    return get(key)
        .map(
            v -> {
              if (v instanceof MetadataValue.Array(var t, var items) && t == elementType) {
                return items;
              }
              throw wrongType(key, v, "an array of " + elementType);
            });
  }

  private GgufFormatException wrongType(String key, MetadataValue v, String expected) {
    return new GgufFormatException(
        path, key, 0, "expected " + expected + " but the file stores " + v.type());
  }

  @Override
  public synchronized void close() {
    for (AnonymousMemory relocation : relocations) {
      relocation.close();
    }
    relocations.clear();
    closeQuietly(memory);
  }
}
