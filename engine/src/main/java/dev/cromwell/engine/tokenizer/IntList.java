package dev.cromwell.engine.tokenizer;

import java.util.Arrays;

/** A growable list of ints without boxing. */
public final class IntList {
  private int[] values = new int[16];
  private int size;

  public void add(int v) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
  }

  public void addAll(int[] vs) {
    for (int v : vs) {
      add(v);
    }
  }

  public void clear() {
    size = 0;
  }

  public int size() {
    return size;
  }

  public int get(int i) {
    return values[i];
  }

  public int[] toArray() {
    return Arrays.copyOf(values, size);
  }
}
