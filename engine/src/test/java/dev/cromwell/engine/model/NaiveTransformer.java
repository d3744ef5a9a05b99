package dev.cromwell.engine.model;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.GgufTensor;
import dev.cromwell.kernels.WeightFormat;

/**
 * A deliberately naive, double-precision transformer used as the engine's oracle: weights decoded
 * to doubles, full causal attention recomputed for every position, RoPE from its definition. It
 * shares nothing with the engine but the GGUF reader and the scalar weight decoders.
 */
final class NaiveTransformer {
  private final GgufFile file;
  private final String arch;
  private final int dim;
  private final int layers;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final double eps;
  private final double base;
  private final boolean neox;

  NaiveTransformer(GgufFile file) {
    this.file = file;
    this.arch = file.string("general.architecture").orElseThrow();
    this.dim = file.integer(arch + ".embedding_length").orElseThrow().intValue();
    this.layers = file.integer(arch + ".block_count").orElseThrow().intValue();
    this.heads = file.integer(arch + ".attention.head_count").orElseThrow().intValue();
    this.kvHeads = file.integer(arch + ".attention.head_count_kv").orElseThrow().intValue();
    this.headDim = dim / heads;
    this.eps = file.number(arch + ".attention.layer_norm_rms_epsilon").orElseThrow();
    this.base = file.number(arch + ".rope.freq_base").orElseThrow();
    this.neox = arch.equals("qwen2");
  }

  private double[][] matrix(String name) {
    GgufTensor t = file.tensor(name).orElseThrow();
    int cols = t.rowLength();
    int rows = t.rows();
    WeightFormat f = WeightFormat.of(t.type());
    float[] row = new float[cols];
    double[][] m = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      f.dequantize(t.data(), r * f.rowBytes(cols), row, 0, cols);
      for (int c = 0; c < cols; c++) {
        m[r][c] = row[c];
      }
    }
    return m;
  }

  private double[] vector(String name) {
    double[][] m = matrix(name);
    double[] v = new double[m.length * m[0].length];
    for (int i = 0; i < v.length; i++) {
      v[i] = m[i / m[0].length][i % m[0].length];
    }
    return v;
  }

  private static double[] mul(double[][] w, double[] x) {
    double[] out = new double[w.length];
    for (int r = 0; r < w.length; r++) {
      double s = 0;
      for (int c = 0; c < x.length; c++) {
        s += w[r][c] * x[c];
      }
      out[r] = s;
    }
    return out;
  }

  private double[] rmsnorm(double[] x, double[] w) {
    double ss = 0;
    for (double v : x) {
      ss += v * v;
    }
    double inv = 1 / Math.sqrt(ss / x.length + eps);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] * inv * w[i];
    }
    return out;
  }

  private void rope(double[] v, int nHeads, int pos) {
    for (int h = 0; h < nHeads; h++) {
      for (int i = 0; i < headDim / 2; i++) {
        double theta = pos / Math.pow(base, (2.0 * i) / headDim);
        int a = h * headDim + (neox ? i : 2 * i);
        int b = neox ? a + headDim / 2 : a + 1;
        double x0 = v[a];
        double x1 = v[b];
        v[a] = x0 * Math.cos(theta) - x1 * Math.sin(theta);
        v[b] = x0 * Math.sin(theta) + x1 * Math.cos(theta);
      }
    }
  }

  private void addBias(double[] v, String name) {
    if (file.tensor(name).isPresent()) {
      double[] b = vector(name);
      for (int i = 0; i < v.length; i++) {
        v[i] += b[i];
      }
    }
  }

  /** Logits at every position of {@code tokens}. */
  double[][] logits(int[] tokens) {
    int n = tokens.length;
    double[][] embedding = matrix("token_embd.weight");
    double[][] x = new double[n][];
    for (int t = 0; t < n; t++) {
      x[t] = embedding[tokens[t]].clone();
    }
    for (int l = 0; l < layers; l++) {
      String p = "blk." + l + ".";
      double[][] wq = matrix(p + "attn_q.weight");
      double[][] wk = matrix(p + "attn_k.weight");
      double[][] wv = matrix(p + "attn_v.weight");
      double[][] wo = matrix(p + "attn_output.weight");
      double[] attnNorm = vector(p + "attn_norm.weight");
      double[][] q = new double[n][];
      double[][] k = new double[n][];
      double[][] v = new double[n][];
      for (int t = 0; t < n; t++) {
        double[] h = rmsnorm(x[t], attnNorm);
        q[t] = mul(wq, h);
        k[t] = mul(wk, h);
        v[t] = mul(wv, h);
        addBias(q[t], p + "attn_q.bias");
        addBias(k[t], p + "attn_k.bias");
        addBias(v[t], p + "attn_v.bias");
        rope(q[t], heads, t);
        rope(k[t], kvHeads, t);
      }
      for (int t = 0; t < n; t++) {
        double[] attended = new double[heads * headDim];
        for (int h = 0; h < heads; h++) {
          int kvh = h / (heads / kvHeads);
          double[] weights = new double[t + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int s = 0; s <= t; s++) {
            double dot = 0;
            for (int d = 0; d < headDim; d++) {
              dot += q[t][h * headDim + d] * k[s][kvh * headDim + d];
            }
            weights[s] = dot / Math.sqrt(headDim);
            max = Math.max(max, weights[s]);
          }
          double sum = 0;
          for (int s = 0; s <= t; s++) {
            weights[s] = Math.exp(weights[s] - max);
            sum += weights[s];
          }
          for (int s = 0; s <= t; s++) {
            for (int d = 0; d < headDim; d++) {
              attended[h * headDim + d] += weights[s] / sum * v[s][kvh * headDim + d];
            }
          }
        }
        double[] o = mul(wo, attended);
        for (int i = 0; i < dim; i++) {
          x[t][i] += o[i];
        }
      }
      double[][] gate = matrix(p + "ffn_gate.weight");
      double[][] up = matrix(p + "ffn_up.weight");
      double[][] down = matrix(p + "ffn_down.weight");
      double[] ffnNorm = vector(p + "ffn_norm.weight");
      for (int t = 0; t < n; t++) {
        double[] h = rmsnorm(x[t], ffnNorm);
        double[] g = mul(gate, h);
        double[] u = mul(up, h);
        for (int i = 0; i < g.length; i++) {
          g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        double[] d = mul(down, g);
        for (int i = 0; i < dim; i++) {
          x[t][i] += d[i];
        }
      }
    }
    double[] outNorm = vector("output_norm.weight");
    double[][] output =
        file.tensor("output.weight").isPresent() ? matrix("output.weight") : embedding;
    double[][] logits = new double[n][];
    for (int t = 0; t < n; t++) {
      logits[t] = mul(output, rmsnorm(x[t], outNorm));
    }
    return logits;
  }
}
