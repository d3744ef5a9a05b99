package dev.cromwell.kernels;

/**
 * Causal grouped-query attention of one query position over a KV cache laid out as {@code
 * [position][kvHead · headDim]}. MHA, GQA and MQA differ only in {@code heads / kvHeads}.
 */
public final class Attention {
  private Attention() {}

  /**
   * Float32 cache: see {@link #attend(float[], KvRows, int, int, int, int, float[], float[],
   * WorkerPool)}.
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
    attend(q, new KvRows.F32(keys, values), positions, heads, kvHeads, headDim, out, scores, pool);
  }

  /**
   * Writes the attention output of every head into {@code out[h·headDim ..]}.
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
    int kvDim = kvHeads * headDim;
    int group = heads / kvHeads;
    float scale = (float) (1.0 / Math.sqrt(headDim));
    pool.parallelFor(
        heads,
        (from, to) -> {
          for (int h = from; h < to; h++) {
            int qOff = h * headDim;
            int kvOff = (h / group) * headDim;
            int sOff = h * positions;
            for (int t = 0; t < positions; t++) {
              scores[sOff + t] = cache.keyDot(q, qOff, t * kvDim + kvOff, headDim) * scale;
            }
            FloatOps.softmax(scores, sOff, positions);
            java.util.Arrays.fill(out, qOff, qOff + headDim, 0f);
            for (int t = 0; t < positions; t++) {
              cache.addValue(scores[sOff + t], t * kvDim + kvOff, out, qOff, headDim);
            }
          }
        });
  }
}
