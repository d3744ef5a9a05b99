"""Export a CromwellModel to GGUF, in the layout llama.cpp (and Cromwell's engine) expects.

Architecture "llama" (normal RoPE) or, when the model has Q/K/V biases, "qwen2" (NeoX RoPE). If
the model's own RoPE pairing differs from the architecture's, the rows of Q and K (and their
biases) are permuted within each head so the exported model computes the same function.

    python3 -m cromwell_train.export_gguf --random tiny --type Q8_0 --out tiny.gguf
"""

import argparse
import sys

import numpy as np
import torch

from .config import ModelConfig
from .gguf import F32, TYPE_NAMES, GGUFWriter
from .model import CromwellModel
from .vocab import Vocabulary, build_vocabulary


def rope_permutation(head_dim: int, from_style: str, to_style: str) -> np.ndarray:
    """Row order that turns a head's rows from one RoPE pairing into the other."""
    half = head_dim // 2
    if from_style == to_style:
        return np.arange(head_dim)
    interleaved_from_neox = np.stack([np.arange(half), np.arange(half) + half], axis=1).reshape(-1)
    if from_style == "neox":  # neox rows (i, i + d/2) become adjacent rows (2i, 2i + 1)
        return interleaved_from_neox
    return np.argsort(interleaved_from_neox)  # the inverse: adjacent pairs become (i, i + d/2)


def permute_heads(w: np.ndarray, heads: int, head_dim: int, order: np.ndarray) -> np.ndarray:
    shaped = w.reshape(heads, head_dim, *w.shape[1:])
    return shaped[:, order].reshape(w.shape)


def export(model: CromwellModel, vocab: Vocabulary, path: str, tensor_type: str = "F32", name: str = "cromwell") -> str:
    c: ModelConfig = model.config
    if len(vocab.tokens) != c.vocab_size:
        raise ValueError(f"vocabulary has {len(vocab.tokens)} tokens but the model {c.vocab_size}")
    if tensor_type not in TYPE_NAMES:
        raise ValueError(f"tensor type {tensor_type} is not one of {sorted(TYPE_NAMES)}")
    matrix_type = TYPE_NAMES[tensor_type]
    arch = "qwen2" if c.qkv_bias else "llama"
    target_style = "neox" if arch == "qwen2" else "normal"
    order = rope_permutation(c.head_dim, c.rope_style, target_style)

    w = GGUFWriter()
    w.add("general.architecture", arch)
    w.add("general.name", name)
    w.add(f"{arch}.context_length", c.max_position)
    w.add(f"{arch}.embedding_length", c.hidden_size)
    w.add(f"{arch}.block_count", c.num_layers)
    w.add(f"{arch}.feed_forward_length", c.intermediate_size)
    w.add(f"{arch}.attention.head_count", c.num_heads)
    w.add(f"{arch}.attention.head_count_kv", c.num_kv_heads)
    w.add(f"{arch}.attention.layer_norm_rms_epsilon", float(c.rms_eps))
    w.add(f"{arch}.rope.freq_base", float(c.rope_base))
    w.add(f"{arch}.rope.dimension_count", c.head_dim)
    for key, value in vocab.gguf_metadata().items():
        w.add(key, value)

    def arr(t: torch.Tensor) -> np.ndarray:
        return t.detach().to(torch.float32).cpu().numpy()

    w.add_tensor("token_embd.weight", arr(model.embed.weight), matrix_type)
    for i, block in enumerate(model.blocks):
        p = f"blk.{i}."
        a = block.attention
        w.add_tensor(p + "attn_norm.weight", arr(block.attention_norm.weight), F32)
        w.add_tensor(p + "attn_q.weight", permute_heads(arr(a.q_proj.weight), c.num_heads, c.head_dim, order), matrix_type)
        w.add_tensor(p + "attn_k.weight", permute_heads(arr(a.k_proj.weight), c.num_kv_heads, c.head_dim, order), matrix_type)
        w.add_tensor(p + "attn_v.weight", arr(a.v_proj.weight), matrix_type)
        if c.qkv_bias:
            w.add_tensor(p + "attn_q.bias", permute_heads(arr(a.q_proj.bias), c.num_heads, c.head_dim, order), F32)
            w.add_tensor(p + "attn_k.bias", permute_heads(arr(a.k_proj.bias), c.num_kv_heads, c.head_dim, order), F32)
            w.add_tensor(p + "attn_v.bias", arr(a.v_proj.bias), F32)
        w.add_tensor(p + "attn_output.weight", arr(a.o_proj.weight), matrix_type)
        w.add_tensor(p + "ffn_norm.weight", arr(block.ffn_norm.weight), F32)
        w.add_tensor(p + "ffn_gate.weight", arr(block.ffn.gate_proj.weight), matrix_type)
        w.add_tensor(p + "ffn_up.weight", arr(block.ffn.up_proj.weight), matrix_type)
        w.add_tensor(p + "ffn_down.weight", arr(block.ffn.down_proj.weight), matrix_type)
    w.add_tensor("output_norm.weight", arr(model.norm.weight), F32)
    if model.lm_head is not None:
        w.add_tensor("output.weight", arr(model.lm_head.weight), matrix_type)
    w.write(path)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Export a random (or saved) Cromwell model to GGUF.")
    parser.add_argument("--random", choices=["tiny", "cromwell-1.2b"], help="export a random model of this shape")
    parser.add_argument("--checkpoint", help="a torch.save()d state dict with its config (not yet trained here)")
    parser.add_argument("--type", default="F32", choices=sorted(TYPE_NAMES), help="type of the weight matrices")
    parser.add_argument("--vocab-size", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.random is None:
        parser.error("only --random is supported until training lands")
    vocab = build_vocabulary(args.vocab_size)
    if args.random == "tiny":
        config = ModelConfig(vocab_size=args.vocab_size, hidden_size=64, num_layers=2, num_heads=4,
                             num_kv_heads=2, intermediate_size=128)
    else:
        config = ModelConfig.cromwell_1_2b(args.vocab_size)
    model = CromwellModel(config).init_random(seed=args.seed)
    export(model, vocab, args.out, args.type)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
