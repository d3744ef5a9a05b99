package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.natives.Prefetch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Loads of weight lines a few KiB ahead of a kernel, for the kernels that spend many instructions
 * per byte (GGML's K-quant layouts), used only where {@link Prefetch} is not available.
 *
 * <p>Those kernels keep too few cache misses in flight on their own: perf puts most of their time
 * on the first instruction after each weight load, waiting for memory. Touching the lines ahead
 * starts those misses early. Measured end to end (Cromwell-1.2B Q4_K, 2 threads): tg 7.2 → 12.8
 * tokens/s, flat from 1 to 16 KiB ahead. The lighter kernels (Q8_0, Q4_0) got slower with it (each
 * touch is a load that retires only when its line arrives), so they do without. Where real
 * prefetches are issued from the row loop, these loads only cost (Cromwell-1.2B, mmap, tg32: Q4_K
 * 8.7–9.0 with both, 9.6–10.3 with prefetch alone; Q6_K 9.1–9.2 against 9.7–9.8).
 *
 * <p>Java has no prefetch instruction, so the touches are ordinary loads whose sum the caller
 * passes to {@link #keep}, which keeps the JIT from dropping them.
 */
final class ReadAhead {
  /** How far ahead of the bytes being computed on the lines are touched. */
  static final long DISTANCE = 4096;

  private static final int LINE = 64;
  private static final int NEVER = 0x5eed_f00d;

  private ReadAhead() {}

  /**
   * Touches every 64-byte line of {@code [at + DISTANCE, at + DISTANCE + bytes)}, clamped to the
   * segment; returns the sum of the bytes read, for {@link #keep}.
   */
  static int touch(MemorySegment segment, long at, int bytes) {
    long last = segment.byteSize() - 1;
    int sum = 0;
    for (int line = 0; line < bytes; line += LINE) {
      sum += segment.get(ValueLayout.JAVA_BYTE, Math.min(at + DISTANCE + line, last));
    }
    return sum;
  }

  /**
   * {@code result}, unchanged (a sum of at most a few hundred bytes never equals the sentinel), but
   * now depending on {@code touched} so that the loads behind it stay.
   */
  static float keep(float result, int touched) {
    return touched == NEVER ? Math.nextUp(result) : result;
  }
}
