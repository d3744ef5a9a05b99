"""The training configuration: model shape, data, optimizer and a curriculum of stages, in one
TOML file (see training/configs/nano.toml). Paths are relative to the file.

Each [[stage]] names its data mixture (language → weight), sequence length, FIM rate, learning-
rate schedule (linear warmup to lr_peak, then cosine to lr_end) and token budget. Steps per stage
= tokens / (micro_batch × accumulation × world size × seq_len), at least one.
"""

import math
import os
import tomllib
from dataclasses import dataclass, field, fields
from typing import Dict, List


@dataclass(frozen=True)
class Stage:
    name: str
    mixture: Dict[str, float]
    seq_len: int
    fim_rate: float
    tokens: int
    lr_peak: float
    lr_end: float
    warmup_steps: int = 0
    spm_rate: float = 0.5

    def steps(self, tokens_per_row_batch: int) -> int:
        return max(1, self.tokens // (tokens_per_row_batch * self.seq_len))

    def lr(self, step: int, total: int) -> float:
        """Learning rate at `step` (0-based) of `total` steps of this stage."""
        if step < self.warmup_steps:
            return self.lr_peak * (step + 1) / self.warmup_steps
        span = max(1, total - self.warmup_steps)
        progress = min(1.0, (step - self.warmup_steps) / span)
        return self.lr_end + 0.5 * (self.lr_peak - self.lr_end) * (1 + math.cos(math.pi * progress))


@dataclass(frozen=True)
class TrainSettings:
    micro_batch: int = 8
    accumulation: int = 1
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float = 1.0
    precision: str = "auto"  # auto: bf16 autocast on a GPU that supports it, else float32; or bf16, fp32
    seed: int = 1
    eval_every: int = 50
    eval_rows: int = 32
    eval_seq_len: int = 256
    checkpoint_every: int = 100
    log_every: int = 10


@dataclass(frozen=True)
class Config:
    path: str
    model: dict
    curated: str
    tokenizer: str
    train: TrainSettings
    stages: List[Stage] = field(default_factory=list)

    def resolve(self, p: str) -> str:
        return p if os.path.isabs(p) else os.path.normpath(os.path.join(os.path.dirname(self.path), p))

    def rows_per_step(self, world: int) -> int:
        return self.train.micro_batch * self.train.accumulation * world


def _build(cls, table: dict, where: str):
    known = {f.name for f in fields(cls)}
    unknown = set(table) - known
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(known)})")
    try:
        return cls(**table)
    except TypeError as e:
        raise ValueError(f"{where}: {e}") from None


def load_config(path: str) -> Config:
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such config; start from training/configs/nano.toml")
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path}: not valid TOML ({e}); fix the file") from None
    for key in ("model", "data", "stage"):
        if key not in raw:
            raise ValueError(f"{path}: missing [{key}] (see training/configs/nano.toml)")
    stages = [_build(Stage, s, f"{path} [[stage]] {i + 1}") for i, s in enumerate(raw["stage"])]
    for s in stages:
        if not s.mixture or any(w < 0 for w in s.mixture.values()) or sum(s.mixture.values()) <= 0:
            raise ValueError(f"{path}: stage {s.name} needs a mixture of positive weights")
        if not 0 <= s.fim_rate <= 1:
            raise ValueError(f"{path}: stage {s.name} fim_rate must be in [0, 1]")
    data = raw["data"]
    if "curated" not in data or "tokenizer" not in data:
        raise ValueError(f"{path}: [data] needs curated = FOLDER and tokenizer = tokenizer.json")
    return Config(os.path.abspath(path), raw["model"], data["curated"], data["tokenizer"],
                  _build(TrainSettings, raw.get("train", {}), f"{path} [train]"), stages)
