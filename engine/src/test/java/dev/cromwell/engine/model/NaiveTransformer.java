package dev.cromwell.engine.model;

import dev.cromwell.engine.gguf.GgufFile;
import dev.cromwell.engine.gguf.GgufTensor;
import dev.cromwell.kernels.formats.WeightFormat;

/**
 * A deliberately naive, double-precision transformer used as the engine's oracle: weights decoded
 * to doubles, full causal attention recomputed for every position, RoPE from its definition. It
 * shares nothing with the engine but the GGUF reader and the scalar weight decoders — in particular
 * not the engine's {@link Architecture} classes: each family's differences are written out here
 * again, from llama.cpp's graphs, by the name of the architecture and the tensors the file has.
 */
final class NaiveTransformer {
  private final GgufFile file;
  private final String arch;
  private final int dim;
  private final int layers;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final int ffn;
  private final double eps;
  private final double base;
  private final boolean neox;
  private final boolean layerNorm;
  private final boolean gelu;
  private final boolean gemma;
  private final double ropeScale;
  private final double[] ropeFactors;
  private final double attentionSoftCap;
  private final double finalSoftCap;
  private final int window;
  private final int windowPattern;
  private final double windowBase;

  NaiveTransformer(GgufFile file) {
    this.file = file;
    this.arch = file.string("general.architecture").orElseThrow();
    this.dim = file.integer(arch + ".embedding_length").orElseThrow().intValue();
    this.layers = file.integer(arch + ".block_count").orElseThrow().intValue();
    this.heads = file.integer(arch + ".attention.head_count").orElseThrow().intValue();
    this.kvHeads = file.integer(arch + ".attention.head_count_kv").orElseThrow().intValue();
    this.headDim =
        file.integer(arch + ".attention.key_length").orElse((long) dim / heads).intValue();
    this.ffn = file.integer(arch + ".feed_forward_length").orElseThrow().intValue();
    this.layerNorm = arch.equals("starcoder2");
    this.eps =
        file.number(
                arch
                    + (layerNorm
                        ? ".attention.layer_norm_epsilon"
                        : ".attention.layer_norm_rms_epsilon"))
            .orElseThrow();
    this.base = file.number(arch + ".rope.freq_base").orElse(10000.0);
    this.neox = !arch.equals("llama");
    this.gemma = arch.startsWith("gemma");
    this.gelu = gemma || arch.equals("starcoder2");
    double factor =
        file.number(arch + ".rope.scaling.factor")
            .orElse(file.number(arch + ".rope.scale_linear").orElse(0.0));
    boolean linear = file.string(arch + ".rope.scaling.type").orElse("linear").equals("linear");
    this.ropeScale = linear && factor > 0 ? 1 / factor : 1;
    this.ropeFactors =
        file.tensor("rope_freqs.weight").isPresent() ? vector("rope_freqs.weight") : null;
    this.attentionSoftCap = file.number(arch + ".attn_logit_softcapping").orElse(0.0);
    this.finalSoftCap = file.number(arch + ".final_logit_softcapping").orElse(0.0);
    this.window = file.integer(arch + ".attention.sliding_window").orElse(0L).intValue();
    this.windowPattern =
        switch (arch) {
          case "gemma2" -> 2;
          case "gemma3" -> 6;
          default -> 0;
        };
    this.windowBase = arch.equals("gemma3") ? 10000.0 : base;
  }

  private boolean has(String name) {
    return file.tensor(name).isPresent();
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

  private static double[] slice(double[] v, int from, int length) {
    double[] out = new double[length];
    System.arraycopy(v, from, out, 0, length);
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

  /** The block's norm: LayerNorm with its bias (StarCoder2) or RMSNorm. */
  private double[] norm(double[] x, String weight) {
    if (!layerNorm) {
      return rmsnorm(x, vector(weight));
    }
    double[] w = vector(weight);
    String biasName = weight.replace(".weight", ".bias");
    double[] b = has(biasName) ? vector(biasName) : new double[x.length];
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= x.length;
    double var = 0;
    for (double v : x) {
      var += (v - mean) * (v - mean);
    }
    double inv = 1 / Math.sqrt(var / x.length + eps);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (x[i] - mean) * inv * w[i] + b[i];
    }
    return out;
  }

  private void headNorm(double[] v, int nHeads, double[] w) {
    for (int h = 0; h < nHeads; h++) {
      double[] normed = rmsnorm(slice(v, h * headDim, headDim), w);
      System.arraycopy(normed, 0, v, h * headDim, headDim);
    }
  }

  private boolean windowed(int layer) {
    return window > 0 && (windowPattern == 0 || (layer + 1) % windowPattern != 0);
  }

  private void rope(double[] v, int nHeads, int pos, int layer) {
    double b = windowed(layer) ? windowBase : base;
    double scale = windowed(layer) && arch.equals("gemma3") ? 1 : ropeScale;
    for (int h = 0; h < nHeads; h++) {
      for (int i = 0; i < headDim / 2; i++) {
        double theta = pos * scale / Math.pow(b, (2.0 * i) / headDim);
        if (ropeFactors != null) {
          theta /= ropeFactors[i];
        }
        int a = h * headDim + (neox ? i : 2 * i);
        int c = neox ? a + headDim / 2 : a + 1;
        double x0 = v[a];
        double x1 = v[c];
        v[a] = x0 * Math.cos(theta) - x1 * Math.sin(theta);
        v[c] = x0 * Math.sin(theta) + x1 * Math.cos(theta);
      }
    }
  }

  private void addBias(double[] v, String name) {
    if (has(name)) {
      double[] b = vector(name);
      for (int i = 0; i < v.length; i++) {
        v[i] += b[i];
      }
    }
  }

  private static double gelu(double x) {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
  }

  private static double cap(double x, double cap) {
    return cap > 0 ? cap * Math.tanh(x / cap) : x;
  }

  /** Logits at every position of {@code tokens}. */
  double[][] logits(int[] tokens) {
    int n = tokens.length;
    double[][] embedding = matrix("token_embd.weight");
    double[][] x = new double[n][];
    for (int t = 0; t < n; t++) {
      x[t] = embedding[tokens[t]].clone();
      if (gemma) {
        for (int i = 0; i < dim; i++) {
          x[t][i] *= Math.sqrt(dim);
        }
      }
    }
    int q = heads * headDim;
    int kv = kvHeads * headDim;
    for (int l = 0; l < layers; l++) {
      String p = "blk." + l + ".";
      double[][] wo = matrix(p + "attn_output.weight");
      double[][] q_ = new double[n][];
      double[][] k = new double[n][];
      double[][] v = new double[n][];
      for (int t = 0; t < n; t++) {
        double[] h = norm(x[t], p + "attn_norm.weight");
        if (has(p + "attn_qkv.weight")) {
          double[] qkv = mul(matrix(p + "attn_qkv.weight"), h);
          addBias(qkv, p + "attn_qkv.bias");
          q_[t] = slice(qkv, 0, q);
          k[t] = slice(qkv, q, kv);
          v[t] = slice(qkv, q + kv, kv);
        } else {
          q_[t] = mul(matrix(p + "attn_q.weight"), h);
          k[t] = mul(matrix(p + "attn_k.weight"), h);
          v[t] = mul(matrix(p + "attn_v.weight"), h);
          addBias(q_[t], p + "attn_q.bias");
          addBias(k[t], p + "attn_k.bias");
          addBias(v[t], p + "attn_v.bias");
        }
        if (has(p + "attn_q_norm.weight")) {
          headNorm(q_[t], heads, vector(p + "attn_q_norm.weight"));
          headNorm(k[t], kvHeads, vector(p + "attn_k_norm.weight"));
        }
        rope(q_[t], heads, t, l);
        rope(k[t], kvHeads, t, l);
      }
      for (int t = 0; t < n; t++) {
        double[] attended = new double[q];
        int first = windowed(l) ? Math.max(0, t - window + 1) : 0;
        for (int h = 0; h < heads; h++) {
          int kvh = h / (heads / kvHeads);
          double[] weights = new double[t + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int s = first; s <= t; s++) {
            double dot = 0;
            for (int d = 0; d < headDim; d++) {
              dot += q_[t][h * headDim + d] * k[s][kvh * headDim + d];
            }
            weights[s] = cap(dot / Math.sqrt(headDim), attentionSoftCap);
            max = Math.max(max, weights[s]);
          }
          double sum = 0;
          for (int s = first; s <= t; s++) {
            weights[s] = Math.exp(weights[s] - max);
            sum += weights[s];
          }
          for (int s = first; s <= t; s++) {
            for (int d = 0; d < headDim; d++) {
              attended[h * headDim + d] += weights[s] / sum * v[s][kvh * headDim + d];
            }
          }
        }
        double[] o = mul(wo, attended);
        addBias(o, p + "attn_output.bias");
        if (has(p + "post_attention_norm.weight")) {
          o = rmsnorm(o, vector(p + "post_attention_norm.weight"));
        }
        for (int i = 0; i < dim; i++) {
          x[t][i] += o[i];
        }
      }
      double[][] down = matrix(p + "ffn_down.weight");
      double[][] up = matrix(p + "ffn_up.weight");
      for (int t = 0; t < n; t++) {
        double[] h = norm(x[t], p + "ffn_norm.weight");
        double[] hidden;
        if (has(p + "ffn_gate.weight") || up.length == 2 * ffn) {
          // Gated: a separate gate, or (Phi-3) the gate's rows first in ffn_up.
          double[] u = mul(up, h);
          double[] g;
          if (has(p + "ffn_gate.weight")) {
            g = mul(matrix(p + "ffn_gate.weight"), h);
          } else {
            g = slice(u, 0, ffn);
            u = slice(u, ffn, ffn);
          }
          hidden = new double[ffn];
          for (int i = 0; i < ffn; i++) {
            double a = gelu ? gelu(g[i]) : g[i] / (1 + Math.exp(-g[i]));
            hidden[i] = a * u[i];
          }
        } else {
          hidden = mul(up, h);
          addBias(hidden, p + "ffn_up.bias");
          for (int i = 0; i < ffn; i++) {
            hidden[i] = gelu(hidden[i]);
          }
        }
        double[] d = mul(down, hidden);
        addBias(d, p + "ffn_down.bias");
        if (has(p + "post_ffw_norm.weight")) {
          d = rmsnorm(d, vector(p + "post_ffw_norm.weight"));
        }
        for (int i = 0; i < dim; i++) {
          x[t][i] += d[i];
        }
      }
    }
    double[][] output = has("output.weight") ? matrix("output.weight") : embedding;
    double[][] logits = new double[n][];
    for (int t = 0; t < n; t++) {
      logits[t] = mul(output, norm(x[t], "output_norm.weight"));
      for (int i = 0; i < logits[t].length; i++) {
        logits[t][i] = cap(logits[t][i], finalSoftCap);
      }
    }
    return logits;
  }
}
