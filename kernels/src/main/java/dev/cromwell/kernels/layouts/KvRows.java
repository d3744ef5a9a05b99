package dev.cromwell.kernels.layouts;

import dev.cromwell.kernels.Half;
import dev.cromwell.kernels.VectorWidth;
import dev.cromwell.kernels.ops.Attention;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The cached keys and values of one layer, as {@link Attention} reads them: float32, or IEEE half
 * floats widened lane by lane while they are read (half the memory, never converted whole).
 *
 * <p>Keys are stored channel by channel — key channel {@code c} of position {@code p} at {@code c ·
 * stride + p} — so that the scores of a query against a run of positions are broadcast-FMAs over
 * contiguous lanes, with no horizontal sum per position. Values are stored position by position —
 * channel {@code c} of position {@code p} at {@code p · kvDim + c} — so that the weighted sum runs
 * over contiguous channels.
 */
public sealed interface KvRows {

  /** Positions a key channel can hold: the distance between two channels. */
  int stride();

  /** Channels per position (all KV heads): the distance between two positions' values. */
  int kvDim();

  /** Keys at element index {@code at..at+lanes)}. */
  FloatVector keys(int at);

  float key(int at);

  /** Values at element index {@code at..at+lanes)}. */
  FloatVector values(int at);

  float value(int at);

  /**
   * {@code out[outOff + p] = scale · Σ_d q[qOff + d] · key(channel + d, p)} for {@code from ≤ p <
   * positions}, over {@code n} channels.
   */
  default void scores(
      float[] q,
      int qOff,
      int channel,
      int n,
      int from,
      int positions,
      float scale,
      float[] out,
      int outOff) {
    VectorSpecies<Float> species = VectorWidth.FLOAT;
    int lanes = species.length();
    int stride = stride();
    int p = from;
    // Four runs of positions at once: four independent accumulators cover the FMA latency.
    for (; p + 4 * lanes <= positions; p += 4 * lanes) {
      FloatVector a0 = FloatVector.zero(species);
      FloatVector a1 = FloatVector.zero(species);
      FloatVector a2 = FloatVector.zero(species);
      FloatVector a3 = FloatVector.zero(species);
      for (int d = 0; d < n; d++) {
        FloatVector qd = FloatVector.broadcast(species, q[qOff + d]);
        int at = (channel + d) * stride + p;
        a0 = keys(at).fma(qd, a0);
        a1 = keys(at + lanes).fma(qd, a1);
        a2 = keys(at + 2 * lanes).fma(qd, a2);
        a3 = keys(at + 3 * lanes).fma(qd, a3);
      }
      a0.mul(scale).intoArray(out, outOff + p);
      a1.mul(scale).intoArray(out, outOff + p + lanes);
      a2.mul(scale).intoArray(out, outOff + p + 2 * lanes);
      a3.mul(scale).intoArray(out, outOff + p + 3 * lanes);
    }
    for (; p + lanes <= positions; p += lanes) {
      FloatVector acc = FloatVector.zero(species);
      for (int d = 0; d < n; d++) {
        acc =
            keys((channel + d) * stride + p).fma(FloatVector.broadcast(species, q[qOff + d]), acc);
      }
      acc.mul(scale).intoArray(out, outOff + p);
    }
    for (; p < positions; p++) {
      float sum = 0f;
      for (int d = 0; d < n; d++) {
        sum += q[qOff + d] * key((channel + d) * stride + p);
      }
      out[outOff + p] = sum * scale;
    }
  }

  /**
   * {@link #scores} of two query heads that share this KV head (grouped-query attention), into
   * {@code out} at {@code outOff0} and {@code outOff1}: each key vector is loaded once for both, so
   * a step does eight FMAs for four key loads instead of four. Eight accumulators, four keys and
   * two queries fit AVX2's 16 registers.
   */
  default void scoresOfTwo(
      float[] q,
      int qOff0,
      int qOff1,
      int channel,
      int n,
      int positions,
      float scale,
      float[] out,
      int outOff0,
      int outOff1) {
    VectorSpecies<Float> species = VectorWidth.FLOAT;
    int lanes = species.length();
    int stride = stride();
    int p = 0;
    for (; p + 4 * lanes <= positions; p += 4 * lanes) {
      FloatVector a0 = FloatVector.zero(species);
      FloatVector a1 = FloatVector.zero(species);
      FloatVector a2 = FloatVector.zero(species);
      FloatVector a3 = FloatVector.zero(species);
      FloatVector b0 = FloatVector.zero(species);
      FloatVector b1 = FloatVector.zero(species);
      FloatVector b2 = FloatVector.zero(species);
      FloatVector b3 = FloatVector.zero(species);
      for (int d = 0; d < n; d++) {
        FloatVector q0 = FloatVector.broadcast(species, q[qOff0 + d]);
        FloatVector q1 = FloatVector.broadcast(species, q[qOff1 + d]);
        int at = (channel + d) * stride + p;
        FloatVector k0 = keys(at);
        FloatVector k1 = keys(at + lanes);
        FloatVector k2 = keys(at + 2 * lanes);
        FloatVector k3 = keys(at + 3 * lanes);
        a0 = k0.fma(q0, a0);
        a1 = k1.fma(q0, a1);
        a2 = k2.fma(q0, a2);
        a3 = k3.fma(q0, a3);
        b0 = k0.fma(q1, b0);
        b1 = k1.fma(q1, b1);
        b2 = k2.fma(q1, b2);
        b3 = k3.fma(q1, b3);
      }
      a0.mul(scale).intoArray(out, outOff0 + p);
      a1.mul(scale).intoArray(out, outOff0 + p + lanes);
      a2.mul(scale).intoArray(out, outOff0 + p + 2 * lanes);
      a3.mul(scale).intoArray(out, outOff0 + p + 3 * lanes);
      b0.mul(scale).intoArray(out, outOff1 + p);
      b1.mul(scale).intoArray(out, outOff1 + p + lanes);
      b2.mul(scale).intoArray(out, outOff1 + p + 2 * lanes);
      b3.mul(scale).intoArray(out, outOff1 + p + 3 * lanes);
    }
    scores(q, qOff0, channel, n, p, positions, scale, out, outOff0);
    scores(q, qOff1, channel, n, p, positions, scale, out, outOff1);
  }

  /**
   * {@code out[outOff + i] = Σ_p weights[wOff + p] · value(p, channel + i)} for {@code i < n}: the
   * attention output of one head. Channels go four vectors at a time, each with its own accumulator
   * held in a register across all positions.
   */
  default void weightedValues(
      float[] weights, int wOff, int positions, int channel, int n, float[] out, int outOff) {
    VectorSpecies<Float> species = VectorWidth.FLOAT;
    int lanes = species.length();
    int kvDim = kvDim();
    int i = 0;
    for (; i + 4 * lanes <= n; i += 4 * lanes) {
      FloatVector a0 = FloatVector.zero(species);
      FloatVector a1 = FloatVector.zero(species);
      FloatVector a2 = FloatVector.zero(species);
      FloatVector a3 = FloatVector.zero(species);
      for (int p = 0; p < positions; p++) {
        FloatVector w = FloatVector.broadcast(species, weights[wOff + p]);
        int at = p * kvDim + channel + i;
        a0 = values(at).fma(w, a0);
        a1 = values(at + lanes).fma(w, a1);
        a2 = values(at + 2 * lanes).fma(w, a2);
        a3 = values(at + 3 * lanes).fma(w, a3);
      }
      a0.intoArray(out, outOff + i);
      a1.intoArray(out, outOff + i + lanes);
      a2.intoArray(out, outOff + i + 2 * lanes);
      a3.intoArray(out, outOff + i + 3 * lanes);
    }
    for (; i + lanes <= n; i += lanes) {
      FloatVector acc = FloatVector.zero(species);
      for (int p = 0; p < positions; p++) {
        acc =
            values(p * kvDim + channel + i)
                .fma(FloatVector.broadcast(species, weights[wOff + p]), acc);
      }
      acc.intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      float sum = 0f;
      for (int p = 0; p < positions; p++) {
        sum += weights[wOff + p] * value(p * kvDim + channel + i);
      }
      out[outOff + i] = sum;
    }
  }

  /**
   * {@link #weightedValues} of two query heads that share this KV head, each value vector loaded
   * once for both.
   */
  default void weightedValuesOfTwo(
      float[] weights,
      int wOff0,
      int wOff1,
      int positions,
      int channel,
      int n,
      float[] out,
      int outOff0,
      int outOff1) {
    VectorSpecies<Float> species = VectorWidth.FLOAT;
    int lanes = species.length();
    int kvDim = kvDim();
    int i = 0;
    for (; i + 4 * lanes <= n; i += 4 * lanes) {
      FloatVector a0 = FloatVector.zero(species);
      FloatVector a1 = FloatVector.zero(species);
      FloatVector a2 = FloatVector.zero(species);
      FloatVector a3 = FloatVector.zero(species);
      FloatVector b0 = FloatVector.zero(species);
      FloatVector b1 = FloatVector.zero(species);
      FloatVector b2 = FloatVector.zero(species);
      FloatVector b3 = FloatVector.zero(species);
      for (int p = 0; p < positions; p++) {
        FloatVector w0 = FloatVector.broadcast(species, weights[wOff0 + p]);
        FloatVector w1 = FloatVector.broadcast(species, weights[wOff1 + p]);
        int at = p * kvDim + channel + i;
        FloatVector v0 = values(at);
        FloatVector v1 = values(at + lanes);
        FloatVector v2 = values(at + 2 * lanes);
        FloatVector v3 = values(at + 3 * lanes);
        a0 = v0.fma(w0, a0);
        a1 = v1.fma(w0, a1);
        a2 = v2.fma(w0, a2);
        a3 = v3.fma(w0, a3);
        b0 = v0.fma(w1, b0);
        b1 = v1.fma(w1, b1);
        b2 = v2.fma(w1, b2);
        b3 = v3.fma(w1, b3);
      }
      a0.intoArray(out, outOff0 + i);
      a1.intoArray(out, outOff0 + i + lanes);
      a2.intoArray(out, outOff0 + i + 2 * lanes);
      a3.intoArray(out, outOff0 + i + 3 * lanes);
      b0.intoArray(out, outOff1 + i);
      b1.intoArray(out, outOff1 + i + lanes);
      b2.intoArray(out, outOff1 + i + 2 * lanes);
      b3.intoArray(out, outOff1 + i + 3 * lanes);
    }
    if (i < n) {
      weightedValues(weights, wOff0, positions, channel + i, n - i, out, outOff0 + i);
      weightedValues(weights, wOff1, positions, channel + i, n - i, out, outOff1 + i);
    }
  }

  /**
   * Keys channel by channel ({@code keys[c · stride + p]}) and values position by position ({@code
   * values[p · kvDim + c]}), float32.
   */
  record F32(float[] keys, float[] values, int stride, int kvDim) implements KvRows {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;

    /** From keys and values both laid out {@code [position][kvDim]} (tests, small caches). */
    public static F32 fromRows(float[] keyRows, float[] values, int positions, int kvDim) {
      return new F32(Transpose.rows(keyRows, positions, kvDim), values, positions, kvDim);
    }

    @Override
    public FloatVector keys(int at) {
      return FloatVector.fromArray(F, keys, at);
    }

    @Override
    public float key(int at) {
      return keys[at];
    }

    @Override
    public FloatVector values(int at) {
      return FloatVector.fromArray(F, values, at);
    }

    @Override
    public float value(int at) {
      return values[at];
    }
  }

  /** As {@link F32}, with IEEE half-precision keys and values. */
  record F16(short[] keys, short[] values, int stride, int kvDim) implements KvRows {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final VectorSpecies<Short> S = VectorWidth.SHORT_PER_FLOAT;

    /** From keys and values both laid out {@code [position][kvDim]} (tests, small caches). */
    public static F16 fromRows(short[] keyRows, short[] values, int positions, int kvDim) {
      return new F16(Transpose.rows(keyRows, positions, kvDim), values, positions, kvDim);
    }

    @Override
    public FloatVector keys(int at) {
      return Half.toFloatVector(ShortVector.fromArray(S, keys, at));
    }

    @Override
    public float key(int at) {
      return Half.toFloat(keys[at]);
    }

    @Override
    public FloatVector values(int at) {
      return Half.toFloatVector(ShortVector.fromArray(S, values, at));
    }

    @Override
    public float value(int at) {
      return Half.toFloat(values[at]);
    }
  }

  /** Turns {@code [position][channel]} rows into {@code [channel][position]}. */
  final class Transpose {
    private Transpose() {}

    static float[] rows(float[] rows, int positions, int channels) {
      float[] out = new float[rows.length];
      for (int p = 0; p < positions; p++) {
        for (int c = 0; c < channels; c++) {
          out[c * positions + p] = rows[p * channels + c];
        }
      }
      return out;
    }

    static short[] rows(short[] rows, int positions, int channels) {
      short[] out = new short[rows.length];
      for (int p = 0; p < positions; p++) {
        for (int c = 0; c < channels; c++) {
          out[c * positions + p] = rows[p * channels + c];
        }
      }
      return out;
    }
  }
}
