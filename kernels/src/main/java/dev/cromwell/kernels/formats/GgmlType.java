package dev.cromwell.kernels.formats;

/**
 * Tensor element types of the GGML/GGUF family, with their on-disk block geometry.
 *
 * <p>The ids are the ones GGUF stores in tensor infos; a quantized type packs {@link #blockSize()}
 * weights into {@link #blockBytes()} bytes. Types that Cromwell cannot compute with yet are still
 * listed so that {@code cromwell info} can name them and loading can refuse them clearly; {@link
 * TensorTypes} says which ones Cromwell computes with.
 */
public enum GgmlType {
  F32(0, 1, 4),
  F16(1, 1, 2),
  Q4_0(2, 32, 18),
  Q4_1(3, 32, 20),
  Q5_0(6, 32, 22),
  Q5_1(7, 32, 24),
  Q8_0(8, 32, 34),
  Q8_1(9, 32, 36),
  Q2_K(10, 256, 84),
  Q3_K(11, 256, 110),
  Q4_K(12, 256, 144),
  Q5_K(13, 256, 176),
  Q6_K(14, 256, 210),
  Q8_K(15, 256, 292),
  IQ2_XXS(16, 256, 66),
  IQ2_XS(17, 256, 74),
  IQ3_XXS(18, 256, 98),
  IQ1_S(19, 256, 50),
  IQ4_NL(20, 32, 18),
  IQ3_S(21, 256, 110),
  IQ2_S(22, 256, 82),
  IQ4_XS(23, 256, 136),
  I8(24, 1, 1),
  I16(25, 1, 2),
  I32(26, 1, 4),
  I64(27, 1, 8),
  F64(28, 1, 8),
  IQ1_M(29, 256, 56),
  BF16(30, 1, 2),
  TQ1_0(34, 256, 54),
  TQ2_0(35, 256, 66);

  private final int id;
  private final int blockSize;
  private final int blockBytes;

  GgmlType(int id, int blockSize, int blockBytes) {
    this.id = id;
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
  }

  /** The numeric id GGUF stores for this type. */
  public int id() {
    return id;
  }

  /** Number of weights one block holds (1 for plain float and integer types). */
  public int blockSize() {
    return blockSize;
  }

  /** Bytes one block occupies. */
  public int blockBytes() {
    return blockBytes;
  }

  /** Bytes needed for {@code elements} weights, or -1 if that is not a whole number of blocks. */
  public long bytesFor(long elements) {
    if (elements < 0 || elements % blockSize != 0) {
      return -1;
    }
    return Math.multiplyExact(elements / blockSize, (long) blockBytes);
  }

  /** The type with the given GGUF id, or {@code null} if the id is unknown. */
  public static GgmlType fromId(int id) {
    for (GgmlType t : values()) {
      if (t.id == id) {
        return t;
      }
    }
    return null;
  }
}
