package dev.cromwell.kernels.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cromwell.kernels.Half;
import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.formats.WeightFormatTest;
import dev.cromwell.kernels.layouts.KvRows;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HalfPrecisionAttentionTest {
  /** Random F16 keys and values, and the same values widened, for the reference. */
  private record HalfCache(
      short[] keys, short[] values, float[] widenedKeys, float[] widenedValues) {
    static HalfCache random(Random rnd, int n) {
      HalfCache cache = new HalfCache(new short[n], new short[n], new float[n], new float[n]);
      for (int i = 0; i < n; i++) {
        cache.keys[i] = Half.fromFloat((float) rnd.nextGaussian());
        cache.values[i] = Half.fromFloat((float) rnd.nextGaussian());
        cache.widenedKeys[i] = Half.toFloat(cache.keys[i]);
        cache.widenedValues[i] = Half.toFloat(cache.values[i]);
      }
      return cache;
    }
  }

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
            float[] q = WeightFormatTest.random(rnd, heads * headDim, 1f);
            HalfCache cache = HalfCache.random(rnd, positions * kvHeads * headDim);
            float[] out = new float[heads * headDim];
            float[] expected = new float[heads * headDim];
            Attention.attend(
                q,
                KvRows.F16.fromRows(cache.keys(), cache.values(), positions, kvHeads * headDim),
                positions,
                heads,
                kvHeads,
                headDim,
                out,
                new float[heads * positions],
                pool);
            FloatOpsReference.attention(
                q,
                cache.widenedKeys(),
                cache.widenedValues(),
                positions,
                heads,
                kvHeads,
                headDim,
                expected);
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
    HalfCache cache = HalfCache.random(rnd, positions * kvHeads * headDim);
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
          KvRows.F16.fromRows(cache.keys(), cache.values(), positions, kvHeads * headDim),
          heads,
          kvHeads,
          headDim,
          outs,
          pool);
    }
    for (int t = 0; t < count; t++) {
      float[] expected = new float[heads * headDim];
      FloatOpsReference.attention(
          queries[t],
          cache.widenedKeys(),
          cache.widenedValues(),
          start + t + 1,
          heads,
          kvHeads,
          headDim,
          expected);
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
