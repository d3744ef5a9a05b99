"""Load a GGUF model (F32, F16, BF16, Q8_0, Q4_0, Q4_1 tensors) into CromwellModel.

This makes the PyTorch model a reference for any llama/qwen2 GGUF the engine runs: quantized
weights are decoded to float32, so comparisons measure computation, not quantization.
"""

import torch

from .config import ModelConfig
from .gguf import GGUFReader
from .model import CromwellModel


def load(path: str) -> CromwellModel:
    r = GGUFReader(path)
    arch = r.metadata["general.architecture"]
    if arch not in ("llama", "qwen2"):
        raise ValueError(f"{path}: architecture {arch!r} is not supported (llama, qwen2)")
    m = r.metadata
    embed = r.tensor("token_embd.weight")
    heads = int(m[f"{arch}.attention.head_count"])
    config = ModelConfig(
        vocab_size=embed.shape[0],
        hidden_size=int(m[f"{arch}.embedding_length"]),
        num_layers=int(m[f"{arch}.block_count"]),
        num_heads=heads,
        num_kv_heads=int(m.get(f"{arch}.attention.head_count_kv", heads)),
        intermediate_size=int(m[f"{arch}.feed_forward_length"]),
        max_position=int(m.get(f"{arch}.context_length", 4096)),
        rms_eps=float(m.get(f"{arch}.attention.layer_norm_rms_epsilon", 1e-5)),
        rope_base=float(m.get(f"{arch}.rope.freq_base", 10000.0)),
        rope_style="neox" if arch == "qwen2" else "normal",
        qkv_bias="blk.0.attn_q.bias" in r.tensors,
        tie_embeddings="output.weight" not in r.tensors,
    )
    model = CromwellModel(config)
    t = lambda name: torch.from_numpy(r.tensor(name).copy())
    state = {"embed.weight": t("token_embd.weight"), "norm.weight": t("output_norm.weight")}
    if not config.tie_embeddings:
        state["lm_head.weight"] = t("output.weight")
    names = {
        "attention_norm.weight": "attn_norm.weight",
        "attention.q_proj.weight": "attn_q.weight",
        "attention.k_proj.weight": "attn_k.weight",
        "attention.v_proj.weight": "attn_v.weight",
        "attention.o_proj.weight": "attn_output.weight",
        "ffn_norm.weight": "ffn_norm.weight",
        "ffn.gate_proj.weight": "ffn_gate.weight",
        "ffn.up_proj.weight": "ffn_up.weight",
        "ffn.down_proj.weight": "ffn_down.weight",
    }
    if config.qkv_bias:
        names.update({"attention.q_proj.bias": "attn_q.bias", "attention.k_proj.bias": "attn_k.bias",
                      "attention.v_proj.bias": "attn_v.bias"})
    for i in range(config.num_layers):
        for ours, theirs in names.items():
            state[f"blocks.{i}.{ours}"] = t(f"blk.{i}.{theirs}")
    model.load_state_dict(state)
    return model.eval()
