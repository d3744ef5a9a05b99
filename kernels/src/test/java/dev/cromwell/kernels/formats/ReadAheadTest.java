package dev.cromwell.kernels.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
  /** Byte i holds i / 64 + 1: the line number plus one, so sums say which lines were read. */
  private static MemorySegment lines(int count) {
    byte[] bytes = new byte[count * 64];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i / 64 + 1);
    }
    return MemorySegment.ofArray(bytes);
  }

  @Test
  void touchesEachLineOfTheRangeAheadOnce() {
    int lineAhead = (int) (ReadAhead.DISTANCE / 64);
    MemorySegment segment = lines(lineAhead + 8);
    // 144 bytes from line 0 → lines lineAhead, +1, +2 (at 0, 64, 128 past the distance).
    int expected = (lineAhead + 1) + (lineAhead + 2) + (lineAhead + 3);
    assertEquals(expected, ReadAhead.touch(segment, 0, 144));
  }

  @Test
  void clampsToTheLastByteNearTheEndOfTheSegment() {
    MemorySegment segment = lines(4);
    // Everything ahead lies past the end: each touch reads the last byte (line 4 → value 4).
    assertEquals(3 * 4, ReadAhead.touch(segment, 128, 144));
  }

  @Test
  void keepReturnsTheResultUnchanged() {
    assertEquals(1.5f, ReadAhead.keep(1.5f, 0));
    assertEquals(-2.25f, ReadAhead.keep(-2.25f, 12345));
  }
}
