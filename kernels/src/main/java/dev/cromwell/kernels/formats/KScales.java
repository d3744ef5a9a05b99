package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Half;
import java.lang.foreign.MemorySegment;

/**
 * The 12-byte scale field of Q4_K and Q5_K: eight 6-bit scales and eight 6-bit minimums. Entries
 * 0–3 sit in the low 6 bits of bytes 0–3 (scales) and 4–7 (mins); entries 4–7 keep their low 4 bits
 * in bytes 8–11 and their top 2 bits in the top bits of bytes 0–7.
 */
final class KScales {
  private KScales() {}

  /** Scale of sub-block {@code j} (0..7) of the block whose scales start at {@code at}. */
  static int scale(MemorySegment w, long at, int j) {
    if (j < 4) {
      return BlockFormat.u8(w, at + j) & 63;
    }
    return (BlockFormat.u8(w, at + j + 4) & 0x0f) | ((BlockFormat.u8(w, at + j - 4) >>> 6) << 4);
  }

  /** Minimum of sub-block {@code j}. */
  static int min(MemorySegment w, long at, int j) {
    if (j < 4) {
      return BlockFormat.u8(w, at + j + 4) & 63;
    }
    return (BlockFormat.u8(w, at + j + 4) >>> 4) | ((BlockFormat.u8(w, at + j) >>> 6) << 4);
  }

  /**
   * Scale {@code j} from the field read as two words: {@code low} = bytes 0–7, {@code high} = bytes
   * 8–11 (little-endian). Two loads per super-block instead of two or three per value.
   */
  static int scale(long low, int high, int j) {
    if (j < 4) {
      return (int) (low >>> (8 * j)) & 63;
    }
    int k = j - 4;
    return ((high >>> (8 * k)) & 0x0f) | (((int) (low >>> (8 * k + 6)) & 3) << 4);
  }

  /** Minimum {@code j} from the field read as two words (see {@link #scale(long, int, int)}). */
  static int min(long low, int high, int j) {
    if (j < 4) {
      return (int) (low >>> (8 * (j + 4))) & 63;
    }
    int k = j - 4;
    return ((high >>> (8 * k + 4)) & 0x0f) | (((int) (low >>> (8 * j + 6)) & 3) << 4);
  }

  /** Packs 6-bit scales and minimums into {@code out[at..at+12)}. */
  static void pack(int[] scales, int[] mins, byte[] out, int at) {
    for (int j = 0; j < 4; j++) {
      out[at + j] = (byte) ((scales[j] & 63) | ((scales[j + 4] >>> 4) << 6));
      out[at + j + 4] = (byte) ((mins[j] & 63) | ((mins[j + 4] >>> 4) << 6));
      out[at + j + 8] = (byte) ((scales[j + 4] & 0x0f) | ((mins[j + 4] & 0x0f) << 4));
    }
  }

  /**
   * Quantizes one super-block of 8 sub-blocks of 32 weights with {@code levels} levels (16 for
   * Q4_K, 32 for Q5_K): per sub-block min/max, then 6-bit scales relative to the super-block's d
   * and dmin. Writes d, dmin and the packed scales; returns the quantized levels.
   */
  static int[] quantize(float[] v, int from, int levels, byte[] out, int at) {
    float[] scale = new float[8];
    float[] min = new float[8];
    float maxScale = 0;
    float maxMin = 0;
    for (int s = 0; s < 8; s++) {
      float lo = 0; // GGML keeps minimums at or below zero: weight = d·q − m with m ≥ 0
      float hi = Float.NEGATIVE_INFINITY;
      for (int l = 0; l < 32; l++) {
        lo = Math.min(lo, v[from + s * 32 + l]);
        hi = Math.max(hi, v[from + s * 32 + l]);
      }
      scale[s] = (hi - lo) / (levels - 1);
      min[s] = -lo;
      maxScale = Math.max(maxScale, scale[s]);
      maxMin = Math.max(maxMin, min[s]);
    }
    float d = maxScale / 63f;
    float dmin = maxMin / 63f;
    int[] ls = new int[8];
    int[] lm = new int[8];
    for (int s = 0; s < 8; s++) {
      ls[s] = d > 0 ? BlockFormat.clampRound(scale[s] / d, 0, 63) : 0;
      lm[s] = dmin > 0 ? BlockFormat.clampRound(min[s] / dmin, 0, 63) : 0;
    }
    BlockFormat.putHalf(out, at, d);
    BlockFormat.putHalf(out, at + 2, dmin);
    pack(ls, lm, out, at + 4);
    // Quantize against the scales as stored (rounded to F16 and 6 bits), as decoding will see them.
    float dStored = Half.toFloat(Half.fromFloat(d));
    float dminStored = Half.toFloat(Half.fromFloat(dmin));
    int[] q = new int[256];
    for (int s = 0; s < 8; s++) {
      float sd = dStored * ls[s];
      float sm = dminStored * lm[s];
      for (int l = 0; l < 32; l++) {
        q[s * 32 + l] =
            sd > 0 ? BlockFormat.clampRound((v[from + s * 32 + l] + sm) / sd, 0, levels - 1) : 0;
      }
    }
    return q;
  }
}
