package dev.cromwell.engine.model;

/**
 * The tensors a transformer block may have, by their GGUF names (the names llama.cpp's converter
 * writes; {@code blk.N.} precedes each). An {@link Architecture} says which of them its blocks have
 * and which are optional.
 */
public enum BlockTensor {
  ATTENTION_NORM("attn_norm.weight"),
  ATTENTION_NORM_BIAS("attn_norm.bias"),
  QUERY("attn_q.weight"),
  KEY("attn_k.weight"),
  VALUE("attn_v.weight"),
  /** Query, key and value rows in one matrix (Phi-3). */
  QKV("attn_qkv.weight"),
  QUERY_BIAS("attn_q.bias"),
  KEY_BIAS("attn_k.bias"),
  VALUE_BIAS("attn_v.bias"),
  QKV_BIAS("attn_qkv.bias"),
  QUERY_NORM("attn_q_norm.weight"),
  KEY_NORM("attn_k_norm.weight"),
  ATTENTION_OUTPUT("attn_output.weight"),
  ATTENTION_OUTPUT_BIAS("attn_output.bias"),
  POST_ATTENTION_NORM("post_attention_norm.weight"),
  FEED_FORWARD_NORM("ffn_norm.weight"),
  FEED_FORWARD_NORM_BIAS("ffn_norm.bias"),
  GATE("ffn_gate.weight"),
  UP("ffn_up.weight"),
  UP_BIAS("ffn_up.bias"),
  DOWN("ffn_down.weight"),
  DOWN_BIAS("ffn_down.bias"),
  POST_FEED_FORWARD_NORM("post_ffw_norm.weight");

  private final String suffix;

  BlockTensor(String suffix) {
    this.suffix = suffix;
  }

  /** The tensor's name in block {@code layer}. */
  public String name(int layer) {
    return "blk." + layer + "." + suffix;
  }
}
