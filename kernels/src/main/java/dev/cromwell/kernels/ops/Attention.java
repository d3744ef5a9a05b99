package dev.cromwell.kernels.ops;

import dev.cromwell.kernels.WorkerPool;
import dev.cromwell.kernels.layouts.KvRows;

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
    attend(
        q,
        cache,
        positions,
        heads,
        kvHeads,
        headDim,
        AttentionOptions.standard(headDim),
        out,
        scores,
        pool);
  }

  /** As above, with the scores scaled, capped and windowed by {@code options}. */
  public static void attend(
      float[] q,
      KvRows cache,
      int positions,
      int heads,
      int kvHeads,
      int headDim,
      AttentionOptions options,
      float[] out,
      float[] scores,
      WorkerPool pool) {
    int group = heads / kvHeads;
    int units = kvHeads * unitsPerGroup(group);
    pool.parallelFor(
        units,
        (from, to) -> {
          for (int u = from; u < to; u++) {
            int h = firstHead(u, group);
            int channel = (h / group) * headDim;
            if (paired(h, group)) {
              pair(
                  q,
                  cache,
                  h,
                  channel,
                  headDim,
                  positions,
                  options,
                  out,
                  scores,
                  h * positions,
                  (h + 1) * positions);
            } else {
              head(q, cache, h, channel, headDim, positions, options, out, scores, h * positions);
            }
          }
        });
  }

  /**
   * Units of work per group of query heads that share a KV head: pairs, whose keys and values are
   * read once for both ({@link KvRows#scoresOfTwo}), and a group's odd head alone.
   */
  private static int unitsPerGroup(int group) {
    return (group + 1) / 2;
  }

  /** The first head of unit {@code u}. */
  private static int firstHead(int u, int group) {
    int perGroup = unitsPerGroup(group);
    return (u / perGroup) * group + 2 * (u % perGroup);
  }

  /** Whether the unit that starts at head {@code h} also holds head {@code h + 1}. */
  private static boolean paired(int h, int group) {
    return h % group + 1 < group;
  }

  /**
   * Attention for {@code count} consecutive query positions {@code start..start+count)} at once
   * (prompt processing): query {@code t} attends causally to positions {@code 0..start+t}. All
   * (unit, token) pairs — a unit is one head or two of a KV head — form one parallel operation,
   * split by unit so the threads' shares are equally long.
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
    attendBatch(
        queries,
        count,
        start,
        cache,
        heads,
        kvHeads,
        headDim,
        AttentionOptions.standard(headDim),
        outs,
        pool);
  }

  /** As above, with the scores scaled, capped and windowed by {@code options}. */
  public static void attendBatch(
      float[][] queries,
      int count,
      int start,
      KvRows cache,
      int heads,
      int kvHeads,
      int headDim,
      AttentionOptions options,
      float[][] outs,
      WorkerPool pool) {
    int group = heads / kvHeads;
    int units = kvHeads * unitsPerGroup(group);
    int most = start + count;
    pool.parallelFor(
        units * count,
        (from, to) -> {
          float[][] holder = SCORES.get();
          if (holder[0].length < 2 * most) {
            holder[0] = new float[2 * most];
          }
          float[] scores = holder[0];
          for (int i = from; i < to; i++) {
            int h = firstHead(i / count, group);
            int t = i % count;
            int channel = (h / group) * headDim;
            int positions = start + t + 1;
            if (paired(h, group)) {
              pair(
                  queries[t],
                  cache,
                  h,
                  channel,
                  headDim,
                  positions,
                  options,
                  outs[t],
                  scores,
                  0,
                  most);
            } else {
              head(queries[t], cache, h, channel, headDim, positions, options, outs[t], scores, 0);
            }
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
      AttentionOptions options,
      float[] out,
      float[] scores,
      int sOff) {
    int qOff = h * headDim;
    cache.scores(q, qOff, channel, headDim, 0, positions, options.scale(), scores, sOff);
    options.shape(scores, sOff, positions);
    FloatOps.softmax(scores, sOff, positions);
    cache.weightedValues(scores, sOff, positions, channel, headDim, out, qOff);
  }

  /**
   * Heads {@code h} and {@code h + 1} of one KV head, their scores at {@code sOff0} and {@code
   * sOff1}.
   */
  private static void pair(
      float[] q,
      KvRows cache,
      int h,
      int channel,
      int headDim,
      int positions,
      AttentionOptions options,
      float[] out,
      float[] scores,
      int sOff0,
      int sOff1) {
    int qOff0 = h * headDim;
    int qOff1 = qOff0 + headDim;
    cache.scoresOfTwo(
        q, qOff0, qOff1, channel, headDim, positions, options.scale(), scores, sOff0, sOff1);
    options.shape(scores, sOff0, positions);
    options.shape(scores, sOff1, positions);
    FloatOps.softmax(scores, sOff0, positions);
    FloatOps.softmax(scores, sOff1, positions);
    cache.weightedValuesOfTwo(scores, sOff0, sOff1, positions, channel, headDim, out, qOff0, qOff1);
  }
}
