"""Shape and hyper-parameters of a Cromwell (Llama-family) decoder-only transformer."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    intermediate_size: int
    max_position: int = 4096
    rms_eps: float = 1e-6
    rope_base: float = 10000.0
    # "normal": rotate adjacent pairs (x[2i], x[2i+1]) as GGUF "llama" does;
    # "neox": rotate (x[i], x[i + d/2]) as GGUF "qwen2" (and Hugging Face's rotate_half) does.
    rope_style: str = "normal"
    qkv_bias: bool = False
    tie_embeddings: bool = False

    def __post_init__(self):
        if self.hidden_size % self.num_heads:
            raise ValueError(f"hidden_size {self.hidden_size} is not divisible by num_heads {self.num_heads}")
        if self.num_heads % self.num_kv_heads:
            raise ValueError(f"num_kv_heads {self.num_kv_heads} does not divide num_heads {self.num_heads}")
        if self.head_dim % 2:
            raise ValueError(f"head dimension {self.head_dim} must be even for RoPE")
        if self.rope_style not in ("normal", "neox"):
            raise ValueError(f"rope_style must be 'normal' or 'neox', got {self.rope_style!r}")

    def to_dict(self) -> dict:
        """A plain dict, the way peft reads a model's config (it looks for tie_word_embeddings)."""
        return {**asdict(self), "tie_word_embeddings": self.tie_embeddings}

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    @property
    def kv_dim(self) -> int:
        return self.num_kv_heads * self.head_dim

    @staticmethod
    def cromwell_1_2b(vocab_size: int = 50000) -> "ModelConfig":
        """The mission's Cromwell-1.2B: 24 layers, hidden 2048, 32 query heads over 4 KV heads."""
        return ModelConfig(vocab_size=vocab_size, hidden_size=2048, num_layers=24, num_heads=32,
                           num_kv_heads=4, intermediate_size=5632, max_position=4096)
