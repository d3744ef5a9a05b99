package dev.cromwell.kernels.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.WeightFormatTest;
import dev.cromwell.kernels.layouts.KvRows;
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

  @Test
  void layerNormMatchesReferenceWithAndWithoutBias() {
    Random rnd = new Random(9);
    for (int n : SIZES) {
      float[] x = random(rnd, n);
      for (int i = 0; i < n; i++) {
        x[i] += 3f; // a mean far from zero must be removed
      }
      float[] w = random(rnd, n);
      float[] b = random(rnd, n);
      for (float[] bias : new float[][] {b, null}) {
        float[] out1 = new float[n];
        float[] out2 = new float[n];
        FloatOps.layerNorm(out1, x, w, bias, n, 1e-5f);
        FloatOpsReference.layerNorm(out2, x, w, bias, n, 1e-5f);
        assertClose(out2, out1, 1e-4, "layerNorm " + n + (bias == null ? "" : " bias"));
      }
    }
  }

  @Test
  void headNormNormalizesEachHeadWithTheSharedWeights() {
    Random rnd = new Random(10);
    for (int headDim : new int[] {2, 16, 64, 128}) {
      float[] x = random(rnd, 3 * headDim);
      float[] w = random(rnd, headDim);
      float[] y = x.clone();
      FloatOps.rmsnormHeads(x, 3, headDim, w, 1e-6f);
      FloatOpsReference.rmsnormHeads(y, 3, headDim, w, 1e-6f);
      assertClose(y, x, 1e-5, "rmsnormHeads " + headDim);
    }
  }

  @Test
  void geluScaleAndSoftCapMatchReference() {
    Random rnd = new Random(11);
    for (int n : SIZES) {
      float[] g = random(rnd, n);
      float[] u = random(rnd, n);
      float[] g2 = g.clone();
      FloatOps.geluMul(g, u, n);
      FloatOpsReference.geluMul(g2, u, n);
      assertClose(g2, g, 1e-5, "geluMul " + n);
      float[] x = random(rnd, n);
      float[] x2 = x.clone();
      FloatOps.gelu(x, n);
      FloatOpsReference.gelu(x2, n);
      assertClose(x2, x, 1e-5, "gelu " + n);
      FloatOps.scale(x, n, 1.7f);
      FloatOpsReference.scale(x2, n, 1.7f);
      assertClose(x2, x, 1e-5, "scale " + n);
      float[] c = random(rnd, n + 2);
      c[1] = 400f; // far beyond the cap: must come out just below it
      float[] c2 = c.clone();
      FloatOps.softCap(c, 1, n, 30f);
      FloatOpsReference.softCap(c2, 1, n, 30f);
      assertClose(c2, c, 1e-5, "softCap " + n);
      assertEquals(30f, c[1], 1e-4);
    }
    // GELU's fixed points: gelu(0) = 0, gelu(x) ≈ x for large x, ≈ 0 for very negative x.
    float[] fixed = {0f, 10f, -10f};
    FloatOps.gelu(fixed, 3);
    assertEquals(0f, fixed[0], 0f);
    assertEquals(10f, fixed[1], 1e-5);
    assertEquals(0f, fixed[2], 1e-5);
  }

  @Test
  void scaledRopeMatchesReferenceForLinearAndPerPairFactors() {
    Random rnd = new Random(12);
    int headDim = 64;
    float[] factors = new float[headDim / 2];
    for (int i = 0; i < factors.length; i++) {
      factors[i] = 1f + i % 7;
    }
    for (float[] f : new float[][] {null, factors}) {
      for (double freqScale : new double[] {1.0, 0.25}) {
        for (boolean neox : new boolean[] {false, true}) {
          float[] x = random(rnd, 2 * headDim);
          float[] y = x.clone();
          new Rope(headDim, 500_000.0, neox, freqScale, f).apply(x, 0, 2, 1234);
          FloatOpsReference.rope(y, 0, 2, headDim, 1234, 500_000.0, neox, freqScale, f);
          assertClose(y, x, 2e-5, "scaled rope " + freqScale + " factors " + (f != null));
        }
      }
    }
    // Linear scaling by 4 at position 4p is plain RoPE at position p.
    float[] x = random(rnd, headDim);
    float[] y = x.clone();
    new Rope(headDim, 10_000.0, false, 0.25, null).apply(x, 0, 1, 400);
    new Rope(headDim, 10_000.0, false).apply(y, 0, 1, 100);
    assertClose(y, x, 1e-5, "linear scaling");
  }

  @Test
  void cappedAndWindowedAttentionMatchesReferenceInBothPasses() {
    Random rnd = new Random(13);
    int heads = 6;
    int kvHeads = 2;
    int headDim = 16;
    int kvDim = kvHeads * headDim;
    AttentionOptions options = new AttentionOptions(0.3f, 5f, 7);
    try (WorkerPool pool = new WorkerPool(2)) {
      int start = 9;
      int count = 13;
      int positions = start + count;
      float[] k = random(rnd, positions * kvDim);
      float[] v = random(rnd, positions * kvDim);
      float[][] queries = new float[count][];
      float[][] outs = new float[count][heads * headDim];
      for (int t = 0; t < count; t++) {
        queries[t] = random(rnd, heads * headDim);
      }
      KvRows rows = KvRows.F32.fromRows(k, v, positions, kvDim);
      Attention.attendBatch(
          queries, count, start, rows, heads, kvHeads, headDim, options, outs, pool);
      for (int t = 0; t < count; t++) {
        float[] expected = new float[heads * headDim];
        FloatOpsReference.attention(
            queries[t], k, v, start + t + 1, heads, kvHeads, headDim, options, expected);
        assertClose(expected, outs[t], 1e-4, "batched windowed query " + t);
        float[] one = new float[heads * headDim];
        Attention.attend(
            queries[t],
            rows,
            start + t + 1,
            heads,
            kvHeads,
            headDim,
            options,
            one,
            new float[heads * positions],
            pool);
        assertClose(expected, one, 1e-4, "windowed query " + t);
      }
      // The window really hides old positions: changing a value outside it changes nothing.
      float[] before = outs[count - 1].clone();
      v[0] += 100f;
      Attention.attendBatch(
          queries,
          count,
          start,
          KvRows.F32.fromRows(k, v, positions, kvDim),
          heads,
          kvHeads,
          headDim,
          options,
          outs,
          pool);
      assertClose(before, outs[count - 1], 0, "outside the window");
    }
  }
}
