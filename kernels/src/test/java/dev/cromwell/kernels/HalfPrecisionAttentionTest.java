package dev.cromwell.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HalfPrecisionAttentionTest {
  @Test
  void attentionOverAHalfPrecisionCacheMatchesTheReferenceOnTheSameValues() {
    Random rnd = new Random(9);
    int[][] shapes = {{4, 4}, {6, 2}, {8, 1}};
    try (WorkerPool pool = new WorkerPool(2)) {
      for (int[] shape : shapes) {
        for (int positions : new int[] {1, 7, 40}) {
          for (int headDim : new int[] {16, 24, 64}) {
            int heads = shape[0];
            int kvHeads = shape[1];
            int n = positions * kvHeads * headDim;
            float[] q = WeightFormatTest.random(rnd, heads * headDim, 1f);
            short[] k = new short[n];
            short[] v = new short[n];
            float[] kf = new float[n];
            float[] vf = new float[n];
            for (int i = 0; i < n; i++) {
              k[i] = Half.fromFloat((float) rnd.nextGaussian());
              v[i] = Half.fromFloat((float) rnd.nextGaussian());
              kf[i] = Half.toFloat(k[i]);
              vf[i] = Half.toFloat(v[i]);
            }
            float[] out = new float[heads * headDim];
            float[] expected = new float[heads * headDim];
            Attention.attend(
                q,
                KvRows.F16.fromRows(k, v, positions, kvHeads * headDim),
                positions,
                heads,
                kvHeads,
                headDim,
                out,
                new float[heads * positions],
                pool);
            FloatOpsReference.attention(q, kf, vf, positions, heads, kvHeads, headDim, expected);
            for (int i = 0; i < out.length; i++) {
              assertEquals(
                  expected[i],
                  out[i],
                  1e-4 * Math.max(1, Math.abs(expected[i])),
                  "heads " + heads + "/" + kvHeads + " t=" + positions + " d=" + headDim + " i="
                      + i);
            }
          }
        }
      }
    }
  }

  @Test
  void batchedAttentionOverAHalfPrecisionCacheMatchesTheReference() {
    Random rnd = new Random(10);
    int heads = 6;
    int kvHeads = 2;
    int headDim = 64;
    int start = 4;
    int count = 69;
    int positions = start + count;
    int n = positions * kvHeads * headDim;
    short[] k = new short[n];
    short[] v = new short[n];
    float[] kf = new float[n];
    float[] vf = new float[n];
    for (int i = 0; i < n; i++) {
      k[i] = Half.fromFloat((float) rnd.nextGaussian());
      v[i] = Half.fromFloat((float) rnd.nextGaussian());
      kf[i] = Half.toFloat(k[i]);
      vf[i] = Half.toFloat(v[i]);
    }
    float[][] queries = new float[count][];
    float[][] outs = new float[count][heads * headDim];
    for (int t = 0; t < count; t++) {
      queries[t] = WeightFormatTest.random(rnd, heads * headDim, 1f);
    }
    try (WorkerPool pool = new WorkerPool(2)) {
      Attention.attendBatch(
          queries,
          count,
          start,
          KvRows.F16.fromRows(k, v, positions, kvHeads * headDim),
          heads,
          kvHeads,
          headDim,
          outs,
          pool);
    }
    for (int t = 0; t < count; t++) {
      float[] expected = new float[heads * headDim];
      FloatOpsReference.attention(
          queries[t], kf, vf, start + t + 1, heads, kvHeads, headDim, expected);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(
            expected[i],
            outs[t][i],
            1e-4 * Math.max(1, Math.abs(expected[i])),
            "query " + t + " i=" + i);
      }
    }
  }
}
