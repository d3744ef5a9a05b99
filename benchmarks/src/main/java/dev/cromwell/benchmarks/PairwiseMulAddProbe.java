package dev.cromwell.benchmarks;

import java.util.Locale;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Whether C2's pairwise multiply-add of shorts (its {@code MulAddS2I} pattern, which it compiles to
 * {@code vpmaddwd}, or {@code vpdpwssd} with AVX-512 VNNI: the integer instructions the Vector API
 * does not expose) beats the float FMA the engine's kernels use. One thread, 16 rows of 1,024
 * weights against 8 tokens, all in L1, in multiply-adds per second:
 *
 * <ul>
 *   <li>float: a Vector API dot product with four FMA accumulators;
 *   <li>pairs into memory: {@code out[i] += w[2i]*x[2i] + w[2i+1]*x[2i+1]}, the only form C2
 *       vectorizes;
 *   <li>pairs reduced: {@code s += w[2i]*x[2i] + w[2i+1]*x[2i+1]}, the form a dot product needs;
 *   <li>plain short dot: {@code s += w[i]*x[i]}.
 * </ul>
 *
 * {@code java --add-modules jdk.incubator.vector -cp ... PairwiseMulAddProbe [rounds]}
 */
public final class PairwiseMulAddProbe {
  private static final int K = 1024;
  private static final int ROWS = 16;
  private static final int TOKENS = 8;
  private static final int REPEATS = 2000;
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  private PairwiseMulAddProbe() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    Random random = new Random(1);
    short[] weights = new short[ROWS * K];
    float[] weightFloats = new float[weights.length];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (short) (random.nextInt(256) - 128);
      weightFloats[i] = weights[i];
    }
    short[][] tokens = new short[TOKENS][K];
    float[][] tokenFloats = new float[TOKENS][K];
    for (int t = 0; t < TOKENS; t++) {
      for (int i = 0; i < K; i++) {
        tokens[t][i] = (short) (random.nextInt(256) - 128);
        tokenFloats[t][i] = tokens[t][i];
      }
    }
    check(weights, weightFloats, tokens[0], tokenFloats[0]);
    System.out.println("vector species " + F + "; GMAC/s, and each against float");
    int[] out = new int[K / 2];
    double macs = (double) ROWS * K * TOKENS * REPEATS;
    long sink = 0;
    for (int round = 0; round < rounds; round++) {
      long t0 = System.nanoTime();
      for (int r = 0; r < REPEATS; r++) {
        for (int row = 0; row < ROWS; row++) {
          for (int t = 0; t < TOKENS; t++) {
            sink += (long) dotFloat(weightFloats, row * K, tokenFloats[t]);
          }
        }
      }
      long t1 = System.nanoTime();
      for (int r = 0; r < REPEATS; r++) {
        for (int row = 0; row < ROWS; row++) {
          for (int t = 0; t < TOKENS; t++) {
            pairsInto(out, weights, row * K, tokens[t]);
          }
        }
      }
      long t2 = System.nanoTime();
      for (int r = 0; r < REPEATS; r++) {
        for (int row = 0; row < ROWS; row++) {
          for (int t = 0; t < TOKENS; t++) {
            sink += pairsReduced(weights, row * K, tokens[t]);
          }
        }
      }
      long t3 = System.nanoTime();
      for (int r = 0; r < REPEATS; r++) {
        for (int row = 0; row < ROWS; row++) {
          for (int t = 0; t < TOKENS; t++) {
            sink += shortDot(weights, row * K, tokens[t]);
          }
        }
      }
      long t4 = System.nanoTime();
      sink += out[1];
      double flt = macs / (t1 - t0);
      double into = macs / (t2 - t1);
      double reduced = macs / (t3 - t2);
      double plain = macs / (t4 - t3);
      System.out.printf(
          Locale.ROOT,
          "round %d: float %.1f, pairs into memory %.1f (%.2fx), pairs reduced %.1f (%.2fx),"
              + " short dot %.1f (%.2fx)%n",
          round,
          flt,
          into,
          into / flt,
          reduced,
          reduced / flt,
          plain,
          plain / flt);
    }
    System.out.println("(checksum " + (sink & 0xff) + ")");
  }

  private static float dotFloat(float[] w, int off, float[] x) {
    int lanes = F.length();
    FloatVector a0 = FloatVector.zero(F);
    FloatVector a1 = FloatVector.zero(F);
    FloatVector a2 = FloatVector.zero(F);
    FloatVector a3 = FloatVector.zero(F);
    for (int i = 0; i < K; i += 4 * lanes) {
      a0 = FloatVector.fromArray(F, w, off + i).fma(FloatVector.fromArray(F, x, i), a0);
      a1 =
          FloatVector.fromArray(F, w, off + i + lanes)
              .fma(FloatVector.fromArray(F, x, i + lanes), a1);
      a2 =
          FloatVector.fromArray(F, w, off + i + 2 * lanes)
              .fma(FloatVector.fromArray(F, x, i + 2 * lanes), a2);
      a3 =
          FloatVector.fromArray(F, w, off + i + 3 * lanes)
              .fma(FloatVector.fromArray(F, x, i + 3 * lanes), a3);
    }
    return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
  }

  private static void pairsInto(int[] out, short[] w, int off, short[] x) {
    for (int i = 0; i < K / 2; i++) {
      out[i] += w[off + 2 * i] * x[2 * i] + w[off + 2 * i + 1] * x[2 * i + 1];
    }
  }

  private static int pairsReduced(short[] w, int off, short[] x) {
    int s = 0;
    for (int i = 0; i < K / 2; i++) {
      s += w[off + 2 * i] * x[2 * i] + w[off + 2 * i + 1] * x[2 * i + 1];
    }
    return s;
  }

  private static int shortDot(short[] w, int off, short[] x) {
    int s = 0;
    for (int i = 0; i < K; i++) {
      s += w[off + i] * x[i];
    }
    return s;
  }

  /** The four kernels agree on one row and token (the products are exact in floats). */
  private static void check(short[] w, float[] wf, short[] x, float[] xf) {
    int[] out = new int[K / 2];
    pairsInto(out, w, 0, x);
    int into = 0;
    for (int v : out) {
      into += v;
    }
    int reduced = pairsReduced(w, 0, x);
    int plain = shortDot(w, 0, x);
    int flt = (int) dotFloat(wf, 0, xf);
    if (into != reduced || reduced != plain || plain != flt) {
      throw new IllegalStateException(
          "kernels disagree: " + into + " " + reduced + " " + plain + " " + flt);
    }
  }
}
