package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import java.lang.foreign.MemorySegment;

/**
 * The header of a grouped row of GGML's 32-weight block types ({@link FourBitGroupedFormat}: Q4_0
 * and Q4_1; {@link FiveBitGroupedFormat}: Q5_0 and Q5_1): the blocks' F16 scales d and, for the
 * types with minimums (Q4_1, Q5_1), then their F16 minimums m.
 *
 * @param ggmlBlockBytes bytes of one of GGML's blocks
 * @param minimums whether blocks carry a minimum m after d instead of a fixed zero level
 */
record LegacyHeader(int ggmlBlockBytes, boolean minimums) {
  /** Bytes of a row's F16 scales and minimums: 2 or 4 per block. */
  long bytes(int blocks) {
    return (minimums ? 4L : 2L) * blocks;
  }

  /** Where GGML's block {@code b} of a row starts in the row's bytes. */
  int ggmlBlock(int b) {
    return b * ggmlBlockBytes;
  }

  /**
   * Copies the d (and m) of GGML's block {@code b}, its first 2 (4) bytes, to their places in the
   * grouped row; returns where the rest of GGML's block starts.
   */
  int copy(byte[] ggml, byte[] grouped, int b, int blocks) {
    int block = ggmlBlock(b);
    grouped[2 * b] = ggml[block];
    grouped[2 * b + 1] = ggml[block + 1];
    if (!minimums) {
      return block + 2;
    }
    grouped[2 * blocks + 2 * b] = ggml[block + 2];
    grouped[2 * blocks + 2 * b + 1] = ggml[block + 3];
    return block + 4;
  }

  /**
   * {@link #copy(byte[], byte[], int, int)} from GGML's row at {@code ggml[from..]} to the grouped
   * row at {@code out[at..]}; returns where the rest of GGML's block starts in {@code ggml}.
   */
  long copy(MemorySegment ggml, long from, MemorySegment out, long at, int b, int blocks) {
    long block = from + ggmlBlock(b);
    out.set(Bytes.SHORT, at + 2L * b, ggml.get(Bytes.SHORT, block));
    if (!minimums) {
      return block + 2;
    }
    out.set(Bytes.SHORT, at + 2L * blocks + 2L * b, ggml.get(Bytes.SHORT, block + 2));
    return block + 4;
  }

  /** Each block's d, and its offset: −m, or 0 without minimums (GGML's d·q + m is q·d − (−m)). */
  void blockScales(MemorySegment w, long row, int blocks, float[] scales, float[] offsets) {
    for (int b = 0; b < blocks; b++) {
      scales[b] = Bytes.half(w, row + 2L * b);
      offsets[b] = minimums ? -Bytes.half(w, row + 2L * (blocks + b)) : 0f;
    }
  }
}
