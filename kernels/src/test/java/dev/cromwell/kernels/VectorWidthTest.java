package dev.cromwell.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VectorWidthTest {
  @Test
  void theForcedWidthIsTheOneInUse() {
    String forced = System.getProperty(VectorWidth.PROPERTY);
    if (forced != null) {
      assertEquals(Integer.parseInt(forced), VectorWidth.bits());
    }
    assertTrue(
        VectorWidth.bits() == 256 || VectorWidth.bits() == 512, "width " + VectorWidth.bits());
    assertEquals(VectorWidth.FLOAT.length(), VectorWidth.BYTE_PER_FLOAT.length());
    assertEquals(VectorWidth.FLOAT.length(), VectorWidth.SHORT_PER_FLOAT.length());
  }
}
