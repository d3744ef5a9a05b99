package dev.cromwell.kernels.natives;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * The one binding of the C library's memory calls ({@code mmap}, {@code munmap}, {@code madvise},
 * {@code mprotect}, and {@code posix_fadvise} to drop a file's cached pages) through the FFM API,
 * for every module: the engine's huge-page memory and the kernels' prefetch page both call these
 * instead of linking libc themselves.
 *
 * <p>The constants are Linux's; elsewhere, or without native access ({@code
 * --enable-native-access}), {@link #available} is false and every call throws {@link
 * UnsupportedOperationException} with the reason, which callers turn into their fallback.
 */
public final class Libc {
  public static final int PROT_READ = 0x1;
  public static final int PROT_WRITE = 0x2;
  public static final int PROT_EXEC = 0x4;
  public static final int MADV_DONTNEED = 4;
  public static final int MADV_HUGEPAGE = 14;

  /** Fault in every page of a range for reading, as a first read would (Linux 5.14+). */
  public static final int MADV_POPULATE_READ = 22;

  private static final int O_RDONLY = 0;
  private static final int POSIX_FADV_DONTNEED = 4;

  private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;

  private Libc() {}

  /** Whether the calls below work here. */
  public static boolean available() {
    return Handles.LINKED != null;
  }

  /** Why {@link #available} is false, or null when it is true. */
  public static String unavailableBecause() {
    return Handles.UNAVAILABLE_BECAUSE;
  }

  /**
   * {@code size} bytes of private anonymous memory, zeroed, with protection {@code prot} ({@code
   * PROT_*}); give it back with {@link #munmap}.
   *
   * @throws IllegalStateException when the OS refuses
   */
  // Wrapping the raw address the OS returns is what this method is for.
  @SuppressWarnings("restricted")
  public static MemorySegment mmapAnonymous(long size, int prot) {
    long address;
    try {
      address = (long) handles().mmap.invokeExact(0L, size, prot, MAP_PRIVATE_ANONYMOUS, -1, 0L);
    } catch (Throwable e) {
      throw new IllegalStateException("mmap failed", e);
    }
    if (address == -1L || address == 0L) {
      throw new IllegalStateException("the OS refused " + size + " bytes (mmap)");
    }
    return MemorySegment.ofAddress(address).reinterpret(size);
  }

  /** Unmaps what {@link #mmapAnonymous} gave. */
  public static void munmap(MemorySegment memory) {
    int result;
    try {
      result = (int) handles().munmap.invokeExact(memory.address(), memory.byteSize());
    } catch (Throwable e) {
      throw new IllegalStateException("munmap failed", e);
    }
    if (result != 0) {
      throw new IllegalStateException("the OS refused to unmap " + memory.byteSize() + " bytes");
    }
  }

  /** Gives the OS {@code advice} ({@code MADV_*}) on {@code memory}; false when it refuses. */
  public static boolean madvise(MemorySegment memory, int advice) {
    try {
      return (int) handles().madvise.invokeExact(memory.address(), memory.byteSize(), advice) == 0;
    } catch (Throwable e) {
      throw new IllegalStateException("madvise failed", e);
    }
  }

  /** Sets the protection of {@code memory} ({@code PROT_*}); false when the OS refuses. */
  public static boolean mprotect(MemorySegment memory, int prot) {
    try {
      return (int) handles().mprotect.invokeExact(memory.address(), memory.byteSize(), prot) == 0;
    } catch (Throwable e) {
      throw new IllegalStateException("mprotect failed", e);
    }
  }

  /**
   * Asks the OS to drop {@code path}'s pages from the page cache ({@code posix_fadvise
   * POSIX_FADV_DONTNEED}); pages that a process maps stay. False when the file cannot be opened or
   * the OS refuses.
   */
  public static boolean dropCachedPages(java.nio.file.Path path) {
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      MemorySegment name = arena.allocateFrom(path.toString());
      int fd = (int) handles().open.invokeExact(name, O_RDONLY);
      if (fd < 0) {
        return false;
      }
      try {
        return (int) handles().fadvise.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED) == 0;
      } finally {
        int ignored = (int) handles().close.invokeExact(fd);
      }
    } catch (UnsupportedOperationException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("posix_fadvise failed", e);
    }
  }

  private static Handles handles() {
    if (Handles.LINKED == null) {
      throw new UnsupportedOperationException(Handles.UNAVAILABLE_BECAUSE);
    }
    return Handles.LINKED;
  }

  /** Linked once, on first use. */
  private record Handles(
      MethodHandle mmap,
      MethodHandle munmap,
      MethodHandle madvise,
      MethodHandle mprotect,
      MethodHandle open,
      MethodHandle close,
      MethodHandle fadvise) {
    static final Handles LINKED;
    static final String UNAVAILABLE_BECAUSE;

    static {
      Handles linked = null;
      String because = null;
      String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
      if (!os.startsWith("linux")) {
        because = "the C library calls are bound for Linux, not " + os;
      } else {
        try {
          linked = link();
        } catch (Throwable e) {
          // No native access, or no such symbol: callers fall back.
          because = "could not link the C library: " + e;
        }
      }
      LINKED = linked;
      UNAVAILABLE_BECAUSE = because;
    }

    // Linking libc is what this class is for; the launcher grants native access.
    @SuppressWarnings("restricted")
    private static Handles link() {
      Linker linker = Linker.nativeLinker();
      SymbolLookup libc = linker.defaultLookup();
      ValueLayout.OfLong size = ValueLayout.JAVA_LONG;
      ValueLayout.OfInt integer = ValueLayout.JAVA_INT;
      return new Handles(
          linker.downcallHandle(
              libc.findOrThrow("mmap"),
              FunctionDescriptor.of(size, size, size, integer, integer, integer, size)),
          linker.downcallHandle(
              libc.findOrThrow("munmap"), FunctionDescriptor.of(integer, size, size)),
          linker.downcallHandle(
              libc.findOrThrow("madvise"), FunctionDescriptor.of(integer, size, size, integer)),
          linker.downcallHandle(
              libc.findOrThrow("mprotect"), FunctionDescriptor.of(integer, size, size, integer)),
          // open is variadic (the mode); called with the path and flags only.
          linker.downcallHandle(
              libc.findOrThrow("open"),
              FunctionDescriptor.of(integer, ValueLayout.ADDRESS, integer),
              Linker.Option.firstVariadicArg(2)),
          linker.downcallHandle(libc.findOrThrow("close"), FunctionDescriptor.of(integer, integer)),
          linker.downcallHandle(
              libc.findOrThrow("posix_fadvise"),
              FunctionDescriptor.of(integer, integer, size, size, integer)));
    }
  }
}
