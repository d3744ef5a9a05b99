package dev.cromwell.engine.gguf;

import dev.cromwell.kernels.formats.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * A tensor inside a mapped GGUF file: its name, type, dimensions (GGUF order: {@code dims[0]} is
 * the fastest-varying, i.e. the row length) and a view of its bytes. The view is a slice of the
 * mapping; nothing is copied.
 */
public record GgufTensor(String name, GgmlType type, long[] dims, MemorySegment data) {
  public GgufTensor {
    dims = dims.clone();
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  /** Number of elements. */
  public long elements() {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  /** Row length (the first GGUF dimension). */
  public int rowLength() {
    return Math.toIntExact(dims[0]);
  }

  /** Number of rows: the product of every dimension but the first. */
  public int rows() {
    return Math.toIntExact(elements() / dims[0]);
  }

  /** Dimensions as {@code [d0, d1, ...]} for messages. */
  public String shape() {
    return java.util.Arrays.toString(dims);
  }
}
