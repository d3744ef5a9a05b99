package dev.cromwell.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every kernel uses, chosen once at class initialisation.
 *
 * <p>By default this is the CPU's preferred width (512 bits on AVX-512 machines, 256 on AVX2).
 * Setting the system property {@value #PROPERTY} to 256 forces narrower vectors so that the AVX2
 * target can be measured on an AVX-512 machine. The species are {@code static final} so that the
 * JIT compiles them to constants; that is why the choice cannot change after start-up.
 */
public final class VectorWidth {
  /** System property that forces the vector width in bits. */
  public static final String PROPERTY = "cromwell.vector.bits";

  /** Float lanes per vector. */
  public static final VectorSpecies<Float> FLOAT = chooseFloatSpecies();

  /**
   * Bytes species with as many lanes as {@link #FLOAT}: loads quantized bytes one vector at a time.
   */
  public static final VectorSpecies<Byte> BYTE_PER_FLOAT =
      ByteVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(FLOAT.length() * 8));

  /** Shorts species with as many lanes as {@link #FLOAT}: loads 16-bit floats. */
  public static final VectorSpecies<Short> SHORT_PER_FLOAT =
      ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(FLOAT.length() * 16));

  private VectorWidth() {}

  /** Vector width in bits that the kernels run with. */
  public static int bits() {
    return FLOAT.vectorBitSize();
  }

  private static VectorSpecies<Float> chooseFloatSpecies() {
    VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
    String forced = System.getProperty(PROPERTY);
    if (forced == null || forced.isBlank()) {
      return preferred.length() >= 8 ? preferred : FloatVector.SPECIES_256;
    }
    int bits;
    try {
      bits = Integer.parseInt(forced.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "-D" + PROPERTY + "=" + forced + " is not a number; use 256 or 512", e);
    }
    return switch (bits) {
      case 256 -> FloatVector.SPECIES_256;
      case 512 -> FloatVector.SPECIES_512;
      default ->
          throw new IllegalArgumentException(
              "-D" + PROPERTY + "=" + forced + " is not supported; use 256 or 512");
    };
  }
}
