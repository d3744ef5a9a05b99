package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.natives.Prefetch;
import java.lang.foreign.MemorySegment;

/**
 * When the K-quant decode kernels ({@link Q4_KGroupedFormat}, {@link Q6_KGroupedFormat}) split long
 * rows into column tiles. They dot all of a thread's rows over one tile of columns before the next,
 * so that the tile's x stays in L1 while the weights stream past. A whole row's x does not: an
 * 8,960-weight {@code ffn_down} row reads 35 KiB of x (Q6_K also its sums), and the streamed
 * weights evict it from a 48 KiB L1 (one thread, from memory: Q4_K 8.3 → 12.0 GB/s, Q6_K 9.3 → 13.9
 * GB/s; docs/PERFORMANCE.md, "Column tiles for wide rows"). Tiled rows are read in strides of a
 * row, which the hardware prefetcher does not follow, so the kernels prefetch each tile's weights
 * {@link #AHEAD} rows ahead.
 */
final class ColumnTiles {
  private ColumnTiles() {}

  /**
   * Rows of more weights than this are tiled. At 4,864 (the 0.5B's {@code ffn_down}) tiles measured
   * 5–10% slower than whole rows, at 8,960 (the 1.5B's) 40–50% faster. {@code
   * -Dcromwell.columnTiles.above=N} changes it (a large N turns tiles off, for comparisons).
   */
  static final int ABOVE = above(System.getProperty("cromwell.columnTiles.above"));

  /**
   * Weights per tile: 8 KiB of x. A multiple of 512, so that every tile but the last starts and
   * ends at a whole vector of blocks (16 blocks of 32 at 512 bits). 1,024 and 3,072 measured
   * slower.
   */
  static final int WIDTH = 2048;

  /** How many rows ahead a tile's weights are prefetched: 3 beat 1, 2, 4 and 6. */
  static final int AHEAD = 3;

  private static int above(String setting) {
    if (setting == null) {
      return 6144;
    }
    try {
      return Integer.parseInt(setting.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "-Dcromwell.columnTiles.above="
              + setting
              + " is not a number of weights (for example 6144, or 1000000 to turn tiles off)");
    }
  }

  /**
   * Where the tile that starts at column {@code start} of rows of {@code cols} weights ends: the
   * row's end when such rows are not tiled. A kernel's loop over tiles: {@code for (int start = 0;
   * start < cols; start = end(cols, start))}.
   */
  static int end(int cols, int start) {
    return cols > ABOVE ? Math.min(cols, start + WIDTH) : cols;
  }

  /**
   * Whether a kernel dotting columns {@code [start, end)} of rows of {@code cols} weights in {@code
   * w} prefetches each row's tile {@link #AHEAD} rows ahead ({@link #prefetch}): for a tile, not a
   * whole row, and only where {@link Prefetch} can reach the memory.
   */
  static boolean prefetches(MemorySegment w, int cols, int start, int end) {
    return (start != 0 || end != cols) && Prefetch.ENABLED && w.isNative();
  }

  /** Prefetches {@code bytes} of {@code w} from offset {@code at}. */
  static void prefetch(MemorySegment w, long at, long bytes) {
    Prefetch.lines(w.address() + at, bytes / 64);
  }
}
