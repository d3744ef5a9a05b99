package dev.cromwell.engine.gguf;

import dev.cromwell.kernels.formats.RearrangedFormat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The memory of a file opened with {@link LoadMode#COPY}: private memory as large as the file, into
 * which every tensor is copied from a mapping of the file, except the tensors that {@link
 * GgufFile#relocate} will lay out again ({@link RearrangedFormat}). Those stay views of the mapping
 * until then, so their bytes are read once, by the rearrangement, instead of being copied first and
 * rearranged from the copy (most of a K-quant file: the copy and the page faults of that memory
 * were about half of a copy load). Their part of the private memory is never touched, so it costs
 * nothing. The mapping lives as long as the file: a rearrangeable tensor that is not relocated
 * after all (a kernel refused its rows) is read from it, as with {@link LoadMode#MMAP}.
 */
final class CopiedFile implements AutoCloseable {
  private final Arena arena;
  private final MemorySegment mapped;
  private final AnonymousMemory memory;

  private CopiedFile(Arena arena, MemorySegment mapped, AnonymousMemory memory) {
    this.arena = arena;
    this.mapped = mapped;
    this.memory = memory;
  }

  static CopiedFile open(FileChannel channel, long size) throws IOException {
    Arena arena = Arena.ofShared();
    try {
      MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      return new CopiedFile(arena, mapped, AnonymousMemory.allocate(size));
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /** The file as mapped, to parse the header from. */
  MemorySegment mapped() {
    return mapped;
  }

  /** The private memory, laid out as the file. */
  AnonymousMemory memory() {
    return memory;
  }

  /**
   * {@code header} with every tensor that will not be rearranged copied into the private memory (at
   * its offset in the file) and viewed there; the others stay views of the mapping.
   */
  GgufReader.Header copy(GgufReader.Header header) {
    MemorySegment target = memory.segment();
    Map<String, GgufTensor> tensors = new LinkedHashMap<>();
    for (GgufTensor t : header.tensors().values()) {
      MemorySegment data = t.data();
      if (!rearrangeable(t) && data.byteSize() > 0) {
        long offset = data.address() - mapped.address();
        MemorySegment.copy(mapped, offset, target, offset, data.byteSize());
        data = target.asSlice(offset, data.byteSize());
      }
      tensors.put(t.name(), new GgufTensor(t.name(), t.type(), t.dims(), data));
    }
    return new GgufReader.Header(
        header.version(), header.metadata(), tensors, header.alignment(), header.dataOffset());
  }

  /** Whether {@link GgufFile#relocate} may lay this tensor out again: a matrix of such rows. */
  private static boolean rearrangeable(GgufTensor t) {
    long[] dims = t.dims();
    return dims.length == 2
        && dims[0] <= Integer.MAX_VALUE
        && RearrangedFormat.of(t.type(), (int) dims[0]).isPresent();
  }

  /** Returns a copied tensor's pages to the OS once it has moved; a mapped one has none. */
  void release(MemorySegment part) {
    MemorySegment whole = memory.segment();
    long start = part.address() - whole.address();
    if (start >= 0 && start + part.byteSize() <= whole.byteSize()) {
      memory.release(part);
    }
  }

  @Override
  public void close() {
    memory.close();
    arena.close();
  }
}
