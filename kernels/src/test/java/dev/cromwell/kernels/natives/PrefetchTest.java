package dev.cromwell.kernels.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class PrefetchTest {
  private static boolean linuxX86_64() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
  }

  @Test
  void isOnWhereTheFunctionCanBeWritten() {
    // The build runs tests with native access, as the launcher does: if this fails, the function
    // could not be linked and every kernel silently runs without prefetch.
    // A system that forbids executable mappings (a hardened kernel) may refuse; anything else
    // that keeps prefetch off here is a bug.
    assumeTrue(linuxX86_64());
    String off = Prefetch.offBecause();
    assertTrue(Prefetch.ENABLED || off.startsWith("the OS refused"), off);
    assertEquals(Prefetch.ENABLED, off == null);
  }

  @Test
  void prefetchingLeavesMemoryAsItWasAndNeverFaults() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment memory = arena.allocate(1 << 20, 64);
      for (long i = 0; i < memory.byteSize(); i += 8) {
        memory.set(ValueLayout.JAVA_LONG, i, i * 31);
      }
      Prefetch.lines(memory.address(), memory.byteSize() / 64);
      // Past the end, and at addresses nothing is mapped at: a prefetch is only a hint.
      Prefetch.lines(memory.address() + memory.byteSize(), 64);
      Prefetch.lines(0L, 4);
      Prefetch.lines(-4096L, 2);
      // No lines at all: the written loop counts down to zero, so 0 must not reach it.
      Prefetch.lines(memory.address(), 0);
      Prefetch.lines(memory.address(), -1);
      for (long i = 0; i < memory.byteSize(); i += 8) {
        assertEquals(i * 31, memory.get(ValueLayout.JAVA_LONG, i));
      }
    }
  }

  @Test
  void theCursorRunsDistanceAheadAndMovesInBatches() {
    assumeTrue(Prefetch.ENABLED);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment memory = arena.allocate(64 << 10, 64);
      long cursor = Prefetch.start(memory, 100);
      assertEquals(memory.address() + 100 + Prefetch.DISTANCE, cursor);
      // Less than a batch due: nothing is prefetched and the cursor stays.
      assertEquals(cursor, Prefetch.ahead(cursor, memory, 100 + Prefetch.BATCH - 1));
      // A batch due: the cursor moves by whole lines past it.
      long moved = Prefetch.ahead(cursor, memory, 100 + Prefetch.BATCH + 1);
      assertEquals(cursor + Prefetch.BATCH + 64, moved);
      // Reaching back does nothing.
      assertEquals(moved, Prefetch.ahead(moved, memory, 0));
    }
  }

  @Test
  void heapMemoryAndAnOffCursorAreLeftAlone() {
    MemorySegment heap = MemorySegment.ofArray(new byte[4096]);
    assertEquals(0, Prefetch.start(heap, 0));
    assertEquals(0, Prefetch.ahead(0, heap, 4096));
  }
}
