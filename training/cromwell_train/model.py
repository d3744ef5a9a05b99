"""The reference decoder-only transformer, written plainly.

RMSNorm, rotary position embedding (normal or NeoX pairing), grouped-query attention (MHA, GQA
and MQA are head ratios), SwiGLU feed-forward, optional Q/K/V bias, tied or separate output head,
causal mask and a KV cache for generation. Runs on PyTorch 1.13 (CPU) and 2.x.
"""

from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import ModelConfig


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_angles(config: ModelConfig, positions: torch.Tensor, dtype: torch.dtype) -> Tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of position * base^(-2i/d), shape [seq, head_dim/2], computed in float64."""
    half = config.head_dim // 2
    inv_freq = config.rope_base ** (-torch.arange(0, half, dtype=torch.float64) * 2.0 / config.head_dim)
    angles = positions.to(torch.float64)[:, None] * inv_freq[None, :]
    return angles.cos().to(dtype), angles.sin().to(dtype)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, style: str) -> torch.Tensor:
    """Rotates x of shape [batch, heads, seq, head_dim]."""
    if style == "neox":
        half = x.shape[-1] // 2
        a, b = x[..., :half], x[..., half:]
        return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)
    a, b = x[..., 0::2], x[..., 1::2]
    rotated = torch.stack([a * cos - b * sin, a * sin + b * cos], dim=-1)
    return rotated.flatten(-2)


class KVCache:
    """Keys and values of every layer for the positions seen so far."""

    def __init__(self, num_layers: int):
        self.keys: List[Optional[torch.Tensor]] = [None] * num_layers
        self.values: List[Optional[torch.Tensor]] = [None] * num_layers

    @property
    def length(self) -> int:
        return 0 if self.keys[0] is None else self.keys[0].shape[2]

    def append(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        if self.keys[layer] is not None:
            k = torch.cat([self.keys[layer], k], dim=2)
            v = torch.cat([self.values[layer], v], dim=2)
        self.keys[layer], self.values[layer] = k, v
        return k, v


class Attention(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        c = config
        self.q_proj = nn.Linear(c.hidden_size, c.num_heads * c.head_dim, bias=c.qkv_bias)
        self.k_proj = nn.Linear(c.hidden_size, c.kv_dim, bias=c.qkv_bias)
        self.v_proj = nn.Linear(c.hidden_size, c.kv_dim, bias=c.qkv_bias)
        self.o_proj = nn.Linear(c.num_heads * c.head_dim, c.hidden_size, bias=False)

    def forward(self, x, cos, sin, layer: int, cache: Optional[KVCache]):
        c = self.config
        batch, seq, _ = x.shape
        q = self.q_proj(x).view(batch, seq, c.num_heads, c.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(batch, seq, c.num_kv_heads, c.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(batch, seq, c.num_kv_heads, c.head_dim).transpose(1, 2)
        q = apply_rope(q, cos, sin, c.rope_style)
        k = apply_rope(k, cos, sin, c.rope_style)
        past = 0
        if cache is not None:
            past = cache.length
            k, v = cache.append(layer, k, v)
        group = c.num_heads // c.num_kv_heads
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
        scores = q @ k.transpose(-1, -2) / (c.head_dim ** 0.5)
        total = k.shape[2]
        # Query i (at absolute position past + i) sees keys 0 .. past + i.
        mask = torch.ones(seq, total, dtype=torch.bool).tril(diagonal=past)
        scores = scores.masked_fill(~mask, float("-inf"))
        out = F.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(batch, seq, c.num_heads * c.head_dim))


class FeedForward(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.gate_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.up_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.down_proj = nn.Linear(config.intermediate_size, config.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.attention_norm = RMSNorm(config.hidden_size, config.rms_eps)
        self.attention = Attention(config)
        self.ffn_norm = RMSNorm(config.hidden_size, config.rms_eps)
        self.ffn = FeedForward(config)

    def forward(self, x, cos, sin, layer, cache):
        x = x + self.attention(self.attention_norm(x), cos, sin, layer, cache)
        return x + self.ffn(self.ffn_norm(x))


class CromwellModel(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.hidden_size)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.num_layers)])
        self.norm = RMSNorm(config.hidden_size, config.rms_eps)
        self.lm_head = None if config.tie_embeddings else nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def output_weight(self) -> torch.Tensor:
        return self.embed.weight if self.lm_head is None else self.lm_head.weight

    def forward(self, tokens: torch.Tensor, cache: Optional[KVCache] = None) -> torch.Tensor:
        """Logits for every position of tokens [batch, seq]; with a cache, continues after it."""
        start = 0 if cache is None else cache.length
        positions = torch.arange(start, start + tokens.shape[1])
        x = self.embed(tokens)
        cos, sin = rope_angles(self.config, positions, x.dtype)
        for i, block in enumerate(self.blocks):
            x = block(x, cos, sin, i, cache)
        return self.norm(x) @ self.output_weight().t()

    @torch.no_grad()
    def generate_greedy(self, prompt: List[int], count: int) -> List[int]:
        """Greedy continuation using the KV cache: one forward for the prompt, then one per token."""
        cache = KVCache(self.config.num_layers)
        logits = self.forward(torch.tensor([prompt]), cache)[0, -1]
        out = []
        for _ in range(count):
            token = int(torch.argmax(logits))
            out.append(token)
            logits = self.forward(torch.tensor([[token]]), cache)[0, -1]
        return out

    def init_random(self, std: float = 0.02, seed: int = 0) -> "CromwellModel":
        """Normal(0, std) weights, norms near 1, small biases: a stand-in for a trained model."""
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("norm.weight"):
                    p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=generator))
                elif name.endswith("bias"):
                    p.copy_(0.05 * torch.randn(p.shape, generator=generator))
                else:
                    p.copy_(std * torch.randn(p.shape, generator=generator))
        return self
