package dev.cromwell.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A layout that GGML weights are rearranged into at load time ({@code --load copy}) because it
 * decodes faster: the same numbers in a different order. A mapped file keeps GGML's layout.
 */
public sealed interface RearrangedFormat extends WeightFormat
    permits Q4_0GroupedFormat, Q4_KGroupedFormat {

  /**
   * Writes {@code rows} rows of {@code cols} weights, read in GGML's layout of {@link #type()} from
   * {@code ggml}, into {@code target} ({@code rows × rowBytes(cols)} bytes, 64-byte aligned).
   *
   * @throws IllegalArgumentException if this format cannot hold such rows or a segment is too small
   */
  void rearrange(MemorySegment ggml, MemorySegment target, long rows, int cols);

  /** The rearranged format for rows of {@code cols} weights of {@code type}, if there is one. */
  static Optional<RearrangedFormat> of(GgmlType type, int cols) {
    return switch (type) {
      case Q4_0 ->
          Q4_0GroupedFormat.supports(cols)
              ? Optional.of(Q4_0GroupedFormat.INSTANCE)
              : Optional.empty();
      case Q4_K ->
          Q4_KGroupedFormat.supports(cols)
              ? Optional.of(Q4_KGroupedFormat.INSTANCE)
              : Optional.empty();
      default -> Optional.empty();
    };
  }

  /** Checks that {@code ggml} holds the rows and {@code target} has room for them. */
  static void requireRoom(
      RearrangedFormat format, MemorySegment ggml, MemorySegment target, long rows, int cols) {
    long ggmlBytes = rows * WeightFormat.of(format.type()).rowBytes(cols);
    long targetBytes = rows * format.rowBytes(cols);
    if (ggml.byteSize() < ggmlBytes || target.byteSize() < targetBytes) {
      throw new IllegalArgumentException(
          rows
              + " "
              + format.type()
              + " rows of "
              + cols
              + " weights need "
              + ggmlBytes
              + " bytes, and "
              + targetBytes
              + " rearranged; got "
              + ggml.byteSize()
              + " and "
              + target.byteSize());
    }
  }
}
