package dev.cromwell.kernels;

/**
 * Causal grouped-query attention over a KV cache ({@link KvRows}). MHA, GQA and MQA differ only in
 * {@code heads / kvHeads}.
 */
public final class Attention {
  private static final ThreadLocal<float[][]> SCORES =
      ThreadLocal.withInitial(() -> new float[1][0]);

  private Attention() {}

  /**
   * Keys and values laid out {@code [position][kvHead · headDim]}, float32: see {@link
   * #attend(float[], KvRows, int, int, int, int, float[], float[], WorkerPool)}.
   */
  public static void attend(
      float[] q,
      float[] keys,
      float[] values,
      int positions,
      int heads,
      int kvHeads,
      int headDim,
      float[] out,
      float[] scores,
      WorkerPool pool) {
    KvRows rows = KvRows.F32.fromRows(keys, values, positions, kvHeads * headDim);
    attend(q, rows, positions, heads, kvHeads, headDim, out, scores, pool);
  }

  /**
   * Writes the attention output of every head of one query position into {@code out[h·headDim ..]},
   * heads split across the pool.
   *
   * @param q query vector of all heads, {@code heads · headDim}
   * @param positions number of cached positions to attend to (the query's own included)
   * @param scores scratch of at least {@code heads · positions} floats
   */
  public static void attend(
      float[] q,
      KvRows cache,
      int positions,
      int heads,
      int kvHeads,
      int headDim,
      float[] out,
      float[] scores,
      WorkerPool pool) {
    int group = heads / kvHeads;
    float scale = (float) (1.0 / Math.sqrt(headDim));
    pool.parallelFor(
        heads,
        (from, to) -> {
          for (int h = from; h < to; h++) {
            int channel = (h / group) * headDim;
            head(q, cache, h, channel, headDim, positions, scale, out, scores, h * positions);
          }
        });
  }

  /**
   * Attention for {@code count} consecutive query positions {@code start..start+count)} at once
   * (prompt processing): query {@code t} attends causally to positions {@code 0..start+t}. All
   * (head, token) pairs form one parallel operation, split by head so the threads' shares are
   * equally long.
   */
  public static void attendBatch(
      float[][] queries,
      int count,
      int start,
      KvRows cache,
      int heads,
      int kvHeads,
      int headDim,
      float[][] outs,
      WorkerPool pool) {
    int group = heads / kvHeads;
    float scale = (float) (1.0 / Math.sqrt(headDim));
    pool.parallelFor(
        heads * count,
        (from, to) -> {
          float[][] holder = SCORES.get();
          if (holder[0].length < start + count) {
            holder[0] = new float[start + count];
          }
          float[] scores = holder[0];
          for (int i = from; i < to; i++) {
            int h = i / count;
            int t = i % count;
            int channel = (h / group) * headDim;
            head(queries[t], cache, h, channel, headDim, start + t + 1, scale, outs[t], scores, 0);
          }
        });
  }

  /** One head: scores against every position, softmax, weighted sum of values. */
  private static void head(
      float[] q,
      KvRows cache,
      int h,
      int channel,
      int headDim,
      int positions,
      float scale,
      float[] out,
      float[] scores,
      int sOff) {
    int qOff = h * headDim;
    cache.scores(q, qOff, channel, headDim, positions, scale, scores, sOff);
    FloatOps.softmax(scores, sOff, positions);
    cache.weightedValues(scores, sOff, positions, channel, headDim, out, qOff);
  }
}
