package dev.cromwell.kernels.formats;

import dev.cromwell.kernels.Bytes;
import java.lang.foreign.MemorySegment;

/**
 * The bit permutations of rearranging ({@link RearrangedRows#rearrangeRow}) done eight bytes at a
 * time: GGML's nibbles and high bits are read as little-endian longs straight from the mapped file
 * and moved with shifts, masks and multiplies, instead of one weight at a time through {@code
 * byte[]} copies of each row, which made copy loading cost 2–4 ns a byte (docs/PERFORMANCE.md,
 * "Copy loading, vectorised"). Plain arithmetic on purpose: rearranging runs once per load, much of
 * it before C2 has compiled it, and {@link Long#compress} (one {@code pext} in C2) is a loop of its
 * own in the interpreter and in C1, which made a cold load's Q6_K 10 ns a byte.
 */
final class GgmlWords {
  /** The low nibble of each byte. */
  private static final long LOW_NIBBLES = 0x0F0F0F0F0F0F0F0FL;

  /** Bit 0 of each byte. */
  private static final long BIT_0 = 0x0101010101010101L;

  /**
   * Multiplying {@link #BIT_0}-masked bytes by this puts bit 0 of byte k at bit 56 + k: the
   * products fall at distinct bits, so nothing carries into the top byte.
   */
  private static final long GATHER_BITS = 0x0102040810204080L;

  /** {@link OrderedNibbles#fifthBitShift} applied to every byte: bit k to its place. */
  private static final byte[] FIFTH_ORDER = fifthOrder();

  private GgmlWords() {}

  private static byte[] fifthOrder() {
    byte[] order = new byte[256];
    for (int b = 0; b < 256; b++) {
      int sorted = 0;
      for (int k = 0; k < 8; k++) {
        sorted |= ((b >>> k) & 1) << OrderedNibbles.fifthBitShift(k);
      }
      order[b] = (byte) sorted;
    }
    return order;
  }

  /** The low nibbles of the eight bytes of {@code v}, in order, as 32 bits: byte k's at bits 4k. */
  static long lowNibbles(long v) {
    long x = v & LOW_NIBBLES;
    x = (x | x >>> 4) & 0x00FF00FF00FF00FFL;
    x = (x | x >>> 8) & 0x0000FFFF0000FFFFL;
    return (x | x >>> 16) & 0xFFFFFFFFL;
  }

  /** The high nibbles, the same way. */
  static long highNibbles(long v) {
    return lowNibbles(v >>> 4);
  }

  /**
   * Packs the low (or high) nibbles of the 16 bytes at {@code in[from..]} in order, two per byte,
   * into {@code out[at..at+8)}: the weight order of {@link OrderedNibbles}.
   */
  static void packNibbles(MemorySegment in, long from, boolean high, MemorySegment out, long at) {
    long a = in.get(Bytes.LONG, from);
    long b = in.get(Bytes.LONG, from + 8);
    long packed =
        high ? highNibbles(a) | highNibbles(b) << 32 : lowNibbles(a) | lowNibbles(b) << 32;
    out.set(Bytes.LONG, at, packed);
  }

  /**
   * Bit 0 of each byte of {@code v} (eight weights' bits, weight k in byte k) as one byte in {@link
   * OrderedNibbles#fifthBitShift} order: the even weights' bits in bits 0–3, the odd ones' in 4–7.
   */
  static byte fifthBits(long v) {
    return FIFTH_ORDER[(int) (((v & BIT_0) * GATHER_BITS) >>> 56)];
  }

  /**
   * Each of the four bytes of {@code word} (bit k of a byte: weight k of its eight) reordered as
   * {@link OrderedNibbles#fifthBitShift} orders the bits: Q5_0's and Q5_1's high-bit word.
   */
  static int fifthBitBytes(int word) {
    return (FIFTH_ORDER[word & 0xff] & 0xff)
        | (FIFTH_ORDER[(word >>> 8) & 0xff] & 0xff) << 8
        | (FIFTH_ORDER[(word >>> 16) & 0xff] & 0xff) << 16
        | (FIFTH_ORDER[word >>> 24] & 0xff) << 24;
  }
}
