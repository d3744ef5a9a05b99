package dev.cromwell.kernels.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class LibcTest {
  private static final long PAGE = 4096;

  @Test
  void mapsAdvisesProtectsAndUnmapsOnLinux() {
    // The build runs tests with native access, as the launcher does: unavailable here means the
    // engine's huge-page memory and the kernels' prefetch silently fall back.
    assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"));
    assertTrue(Libc.available(), Libc.unavailableBecause());
    assertNull(Libc.unavailableBecause());
    MemorySegment memory = Libc.mmapAnonymous(4 * PAGE, Libc.PROT_READ | Libc.PROT_WRITE);
    assertEquals(4 * PAGE, memory.byteSize());
    assertEquals(0, memory.address() % PAGE, "mmap gives whole pages");
    assertEquals(0L, memory.get(ValueLayout.JAVA_LONG, PAGE), "anonymous memory starts zeroed");
    memory.set(ValueLayout.JAVA_LONG, PAGE, 42L);
    memory.set(ValueLayout.JAVA_LONG, 2 * PAGE, 43L);
    // MADV_DONTNEED gives private anonymous pages back: they read as zeros again.
    assertTrue(Libc.madvise(memory.asSlice(PAGE, PAGE), Libc.MADV_DONTNEED));
    assertEquals(0L, memory.get(ValueLayout.JAVA_LONG, PAGE));
    assertEquals(43L, memory.get(ValueLayout.JAVA_LONG, 2 * PAGE), "other pages keep theirs");
    assertTrue(Libc.mprotect(memory, Libc.PROT_READ));
    assertEquals(43L, memory.get(ValueLayout.JAVA_LONG, 2 * PAGE), "still readable");
    Libc.munmap(memory);
  }

  @Test
  void aRefusedCallSaysSo() {
    assumeTrue(Libc.available());
    // An address that is not page-aligned: the kernel refuses with EINVAL.
    MemorySegment memory = Libc.mmapAnonymous(PAGE, Libc.PROT_READ | Libc.PROT_WRITE);
    try {
      assertTrue(!Libc.mprotect(memory.asSlice(1, 8), Libc.PROT_READ));
    } finally {
      Libc.munmap(memory);
    }
  }
}
