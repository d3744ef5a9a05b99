package dev.cromwell.kernels.natives;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Software prefetch of weight lines ahead of a decode kernel.
 *
 * <p>Why: a decode kernel that does real work per cache line keeps too few misses in flight on its
 * own, and the hardware prefetcher runs only a short way ahead of it. A C loop of the grouped Q4_0
 * kernel's shape streamed 5.8 GB/s on one core of this machine without prefetch and 13.1 GB/s with
 * {@code prefetcht0} 2 KiB ahead (2 threads: 11.2 → 26.3 GB/s). Ordinary loads ahead cannot do
 * this: each retires only when its line arrives, and stalls the kernel behind it.
 *
 * <p>Java has no prefetch instruction, so on x86-64 Linux this class writes a 13-byte function into
 * a page of its own (mapped writable, written, then made executable and read-only) and calls it
 * through the FFM linker as a critical downcall, which costs a few nanoseconds. Elsewhere, or if
 * the page cannot be made executable, or with {@code -Dcromwell.prefetch=false}, {@link #lines}
 * does nothing and the kernels run as before.
 */
public final class Prefetch {
  /** Whether {@link #lines} issues prefetches on this machine. */
  public static final boolean ENABLED;

  private static final MethodHandle LINES;

  /** The function, for the x86-64 System V ABI: rdi = address, rsi = count (at least 1). */
  private static final byte[] X86_64_SYSV_LINES =
      bytes(
          0x0F, 0x18, 0x0F, // loop: prefetcht0 [rdi]
          0x48, 0x83, 0xC7, 0x40, // add rdi, 64
          0x48, 0xFF, 0xCE, // dec rsi
          0x75, 0xF4, // jnz loop
          0xC3); // ret

  /** Why prefetch is off here, or null when it is on. */
  private static final String OFF_BECAUSE;

  static {
    MethodHandle lines = null;
    String offBecause;
    if (!Boolean.parseBoolean(System.getProperty("cromwell.prefetch", "true"))) {
      offBecause = "turned off with -Dcromwell.prefetch=false";
    } else {
      try {
        lines = linkLines();
        offBecause = null;
      } catch (Unavailable e) {
        offBecause = e.getMessage();
      } catch (Throwable e) {
        // No native access, no libc: run without prefetch, and say why.
        offBecause = "could not link the function: " + e;
      }
    }
    LINES = lines;
    ENABLED = lines != null;
    OFF_BECAUSE = offBecause;
  }

  /** Why prefetch is off on this machine, or null when it is on. */
  public static String offBecause() {
    return OFF_BECAUSE;
  }

  /** A reason prefetch cannot run here that lies with the platform, not with this class. */
  private static final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    Unavailable(String reason) {
      super(reason);
    }
  }

  private Prefetch() {}

  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  /**
   * Prefetches {@code count} consecutive 64-byte steps from {@code address}, into all cache levels;
   * nothing when {@code count} is not positive (the function itself needs at least 1). Prefetches
   * never fault, so the range may run past the end of a mapping.
   */
  public static void lines(long address, long count) {
    if (LINES == null || count <= 0) {
      return;
    }
    try {
      LINES.invokeExact(address, count);
    } catch (Throwable impossible) {
      throw new AssertionError(impossible);
    }
  }

  /**
   * How far ahead of the bytes being computed on the kernels prefetch. 1, 2 and 4 KiB measured the
   * same end to end (0.5B Q4_0 tg64 46.6–48.8 tokens/s, within this VM's noise); 2 KiB was best in
   * the C loop.
   */
  public static final long DISTANCE = 2048;

  /**
   * The fewest bytes one call prefetches, so that a call's cost (a few nanoseconds) is spread over
   * several lines; 256 to 1,024 measured the same.
   */
  public static final long BATCH = 512;

  /**
   * The cursor of a kernel that streams {@code segment} from {@code offset} on: the machine address
   * up to which it has prefetched, or 0 when it should not prefetch (not here, or a heap segment,
   * whose address is not a machine address).
   */
  public static long start(MemorySegment segment, long offset) {
    return ENABLED && segment.isNative() ? segment.address() + offset + DISTANCE : 0;
  }

  /**
   * Prefetches from cursor {@code prefetched} up to {@code DISTANCE} bytes past {@code reached} in
   * {@code segment} once at least {@code BATCH} bytes are due; returns the new cursor. A cursor of
   * 0 means off and stays 0.
   */
  public static long ahead(long prefetched, MemorySegment segment, long reached) {
    if (prefetched == 0) {
      return 0;
    }
    long due = segment.address() + reached + DISTANCE - prefetched;
    if (due < BATCH) {
      return prefetched;
    }
    long steps = (due + 63) >>> 6;
    lines(prefetched, steps);
    return prefetched + (steps << 6);
  }

  // Calling libc and the written function is what this class is for; the launcher grants native
  // access (--enable-native-access), and without it linking throws and prefetch stays off.
  @SuppressWarnings("restricted")
  private static MethodHandle linkLines() throws Throwable {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new Unavailable("the function is written for x86-64 Linux, not " + os + " " + arch);
    }
    Linker linker = Linker.nativeLinker();
    SymbolLookup libc = linker.defaultLookup();
    MethodHandle mmap =
        linker.downcallHandle(
            libc.findOrThrow("mmap"),
            FunctionDescriptor.of(
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG));
    MethodHandle mprotect =
        linker.downcallHandle(
            libc.findOrThrow("mprotect"),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT));
    long page = 4096;
    int protRead = 1;
    int protWrite = 2;
    int protExec = 4;
    int mapPrivateAnonymous = 0x02 | 0x20;
    long address =
        (long) mmap.invokeExact(0L, page, protRead | protWrite, mapPrivateAnonymous, -1, 0L);
    if (address == -1L || address == 0L) {
      throw new Unavailable("the OS refused a page for the function (mmap)");
    }
    MemorySegment code = MemorySegment.ofAddress(address).reinterpret(page, Arena.global(), null);
    MemorySegment.copy(
        X86_64_SYSV_LINES, 0, code, ValueLayout.JAVA_BYTE, 0, X86_64_SYSV_LINES.length);
    if ((int) mprotect.invokeExact(address, page, protRead | protExec) != 0) {
      throw new Unavailable("the OS refused to make the function's page executable (mprotect)");
    }
    return linker.downcallHandle(
        code,
        FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
        Linker.Option.critical(false));
  }
}
