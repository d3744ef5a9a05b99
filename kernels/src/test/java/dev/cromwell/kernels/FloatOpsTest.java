package dev.cromwell.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FloatOpsTest {
  private static final int[] SIZES = {1, 2, 7, 8, 15, 16, 17, 33, 64, 100, 257, 896};

  private static float[] random(Random rnd, int n) {
    return WeightFormatTest.random(rnd, n, 2f);
  }

  private static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
    for (int i = 0; i < expected.length; i++) {
      double bound = tolerance * Math.max(1, Math.abs(expected[i]));
      assertEquals(expected[i], actual[i], bound, what + " element " + i);
    }
  }

  @Test
  void dotAxpyAddMatchReference() {
    Random rnd = new Random(1);
    for (int n : SIZES) {
      float[] a = random(rnd, n + 3);
      float[] b = random(rnd, n + 3);
      assertEquals(
          FloatOpsReference.dot(a, 3, b, 1, n), FloatOps.dot(a, 3, b, 1, n), 1e-4 * n, "dot " + n);
      float[] out1 = b.clone();
      float[] out2 = b.clone();
      FloatOps.axpy(0.7f, a, 2, out1, 1, n);
      FloatOpsReference.axpy(0.7f, a, 2, out2, 1, n);
      assertClose(out2, out1, 1e-5, "axpy " + n);
      float[] acc1 = a.clone();
      float[] acc2 = a.clone();
      FloatOps.add(acc1, b, n);
      FloatOpsReference.add(acc2, b, n);
      assertClose(acc2, acc1, 1e-6, "add " + n);
    }
  }

  @Test
  void rmsnormMatchesReference() {
    Random rnd = new Random(2);
    for (int n : SIZES) {
      float[] x = random(rnd, n);
      float[] w = random(rnd, n);
      float[] out1 = new float[n];
      float[] out2 = new float[n];
      FloatOps.rmsnorm(out1, x, w, n, 1e-6f);
      FloatOpsReference.rmsnorm(out2, x, w, n, 1e-6f);
      assertClose(out2, out1, 1e-5, "rmsnorm " + n);
    }
  }

  @Test
  void softmaxMatchesReferenceAndSumsToOne() {
    Random rnd = new Random(3);
    for (int n : SIZES) {
      float[] x = random(rnd, n + 2);
      x[1] = 80f; // large values must not overflow
      float[] y = x.clone();
      FloatOps.softmax(x, 1, n);
      FloatOpsReference.softmax(y, 1, n);
      assertClose(y, x, 1e-5, "softmax " + n);
      double sum = 0;
      for (int i = 1; i <= n; i++) {
        sum += x[i];
      }
      assertEquals(1.0, sum, 1e-5);
    }
  }

  @Test
  void siluMulMatchesReference() {
    Random rnd = new Random(4);
    for (int n : SIZES) {
      float[] g = random(rnd, n);
      float[] u = random(rnd, n);
      float[] g2 = g.clone();
      FloatOps.siluMul(g, u, n);
      FloatOpsReference.siluMul(g2, u, n);
      assertClose(g2, g, 1e-5, "siluMul " + n);
    }
  }

  @Test
  void ropeMatchesReferenceInBothOrderings() {
    Random rnd = new Random(5);
    for (boolean neox : new boolean[] {false, true}) {
      for (int headDim : new int[] {2, 6, 64, 128}) {
        for (int pos : new int[] {0, 1, 17, 300, 4000}) {
          int heads = 3;
          float[] x = random(rnd, heads * headDim + 4);
          float[] y = x.clone();
          new Rope(headDim, 1_000_000.0, neox).apply(x, 4, heads, pos);
          FloatOpsReference.rope(y, 4, heads, headDim, pos, 1_000_000.0, neox);
          assertClose(y, x, 2e-5, "rope neox=" + neox + " d=" + headDim + " pos=" + pos);
        }
      }
    }
  }

  @Test
  void ropeAtPositionZeroIsIdentityAndPreservesNorm() {
    Random rnd = new Random(6);
    float[] x = random(rnd, 64);
    float[] y = x.clone();
    new Rope(64, 10000, false).apply(y, 0, 1, 0);
    assertClose(x, y, 0, "identity");
    new Rope(64, 10000, true).apply(y, 0, 1, 123);
    assertEquals(
        FloatOpsReference.dot(x, 0, x, 0, 64), FloatOpsReference.dot(y, 0, y, 0, 64), 1e-3);
  }

  @Test
  void batchedAttentionMatchesTheReferenceForEveryQueryOfTheChunk() {
    Random rnd = new Random(8);
    int[][] headShapes = {{4, 4}, {6, 2}, {14, 2}};
    try (WorkerPool pool = new WorkerPool(2)) {
      for (int[] shape : headShapes) {
        for (int[] dimAndCount : new int[][] {{24, 70}, {64, 70}, {64, 69}}) {
          int headDim = dimAndCount[0];
          int heads = shape[0];
          int kvHeads = shape[1];
          int kvDim = kvHeads * headDim;
          int start = 37;
          // Odd and even chunk lengths.
          int count = dimAndCount[1];
          int positions = start + count;
          float[] k = random(rnd, positions * kvDim);
          float[] v = random(rnd, positions * kvDim);
          float[][] queries = new float[count][];
          float[][] outs = new float[count][heads * headDim];
          for (int t = 0; t < count; t++) {
            queries[t] = random(rnd, heads * headDim);
          }
          KvRows rows = KvRows.F32.fromRows(k, v, positions, kvDim);
          Attention.attendBatch(queries, count, start, rows, heads, kvHeads, headDim, outs, pool);
          for (int t = 0; t < count; t++) {
            float[] expected = new float[heads * headDim];
            FloatOpsReference.attention(
                queries[t], k, v, start + t + 1, heads, kvHeads, headDim, expected);
            assertClose(
                expected, outs[t], 1e-4, "batched " + heads + "/" + kvHeads + " query " + t);
          }
        }
      }
    }
  }

  @Test
  void attentionMatchesReferenceForMhaGqaAndMqa() {
    Random rnd = new Random(7);
    int[][] headShapes = {{4, 4}, {6, 2}, {8, 1}, {14, 2}};
    try (WorkerPool pool = new WorkerPool(2)) {
      for (int[] shape : headShapes) {
        for (int positions : new int[] {1, 5, 33, 64, 100}) {
          int heads = shape[0];
          int kvHeads = shape[1];
          int headDim = 24;
          float[] q = random(rnd, heads * headDim);
          float[] k = random(rnd, positions * kvHeads * headDim);
          float[] v = random(rnd, positions * kvHeads * headDim);
          float[] out = new float[heads * headDim];
          float[] expected = new float[heads * headDim];
          Attention.attend(
              q, k, v, positions, heads, kvHeads, headDim, out, new float[heads * positions], pool);
          FloatOpsReference.attention(q, k, v, positions, heads, kvHeads, headDim, expected);
          assertClose(
              expected, out, 1e-4, "attention " + heads + "/" + kvHeads + " t=" + positions);
        }
      }
    }
  }
}
