package dev.cromwell.engine.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Private anonymous memory backed by transparent huge pages where the OS allows it (Linux {@code
 * mmap} + {@code madvise(MADV_HUGEPAGE)}, called through the FFM API), else ordinary off-heap
 * memory.
 *
 * <p>Why: streaming weights through 4 KiB pages of the page cache stalls the hardware prefetchers
 * at every page boundary and costs a TLB miss per page; measured here, a Q8_0 matvec read 8.2 GB/s
 * from huge-page memory against 5.1 GB/s from 4 KiB pages.
 */
public final class AnonymousMemory implements AutoCloseable {
  private static final long HUGE_PAGE = 2L << 20;
  private static final int PROT_READ_WRITE = 0x3;
  private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
  private static final int MADV_HUGEPAGE = 14;
  private static final int MADV_DONTNEED = 4;
  private static final long PAGE = 4096;

  private final MemorySegment segment;
  private final Runnable release;
  private final MethodHandle madvise;

  private AnonymousMemory(MemorySegment segment, Runnable release, MethodHandle madvise) {
    this.segment = segment;
    this.release = release;
    this.madvise = madvise;
  }

  /** At least {@code size} bytes of zeroed memory. */
  public static AnonymousMemory allocate(long size) {
    if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      try {
        return mapped(size);
      } catch (Throwable e) {
        // fall through to ordinary memory
      }
    }
    Arena arena = Arena.ofShared();
    return new AnonymousMemory(arena.allocate(Math.max(1, size), 64), arena::close, null);
  }

  public MemorySegment segment() {
    return segment;
  }

  // Calling libc's mmap/madvise/munmap and wrapping raw addresses is what this class is for; the
  // launcher grants native access (--enable-native-access).
  @SuppressWarnings("restricted")
  private static AnonymousMemory mapped(long size) throws Throwable {
    Linker linker = Linker.nativeLinker();
    SymbolLookup libc = linker.defaultLookup();
    MethodHandle mmap =
        linker.downcallHandle(
            libc.find("mmap").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.ADDRESS,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG));
    MethodHandle madvise =
        linker.downcallHandle(
            libc.find("madvise").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT));
    MethodHandle munmap =
        linker.downcallHandle(
            libc.find("munmap").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    // Over-allocate by one huge page so the usable region can start on a huge-page boundary.
    long rounded = (Math.max(1, size) + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    long total = rounded + HUGE_PAGE;
    MemorySegment raw =
        (MemorySegment)
            mmap.invokeExact(
                MemorySegment.NULL, total, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
    if (raw.address() == -1L || raw.address() == 0L) {
      throw new IllegalStateException("mmap failed");
    }
    long start = (raw.address() + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    MemorySegment usable = MemorySegment.ofAddress(start).reinterpret(rounded);
    // A refused madvise only means 4 KiB pages; the memory is still good.
    int advice = (int) madvise.invokeExact(usable, rounded, MADV_HUGEPAGE);
    MemorySegment whole = MemorySegment.ofAddress(raw.address()).reinterpret(total);
    Runnable release =
        () -> {
          try {
            int ignored = (int) munmap.invokeExact(whole, total);
          } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
          }
        };
    return new AnonymousMemory(usable.asSlice(0, Math.max(1, size)), release, madvise);
  }

  /**
   * Returns the whole pages inside {@code part} (a slice of {@link #segment}) to the OS: they read
   * as zeros afterwards. Used when a tensor has moved to memory of its own; a no-op where the
   * memory is not from mmap.
   */
  @SuppressWarnings("restricted")
  public void release(MemorySegment part) {
    long start = part.address();
    long end = start + part.byteSize();
    if (start < segment.address() || end > segment.address() + segment.byteSize()) {
      throw new IllegalArgumentException("not a part of this memory");
    }
    long first = (start + PAGE - 1) / PAGE * PAGE;
    long last = end / PAGE * PAGE;
    if (madvise == null || last <= first) {
      return;
    }
    try {
      // A refusal only means the pages stay resident.
      int ignored =
          (int)
              madvise.invokeExact(
                  MemorySegment.ofAddress(first).reinterpret(last - first),
                  last - first,
                  MADV_DONTNEED);
    } catch (Throwable e) {
      throw new IllegalStateException("madvise failed", e);
    }
  }

  @Override
  public void close() {
    release.run();
  }
}
