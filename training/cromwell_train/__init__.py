"""Cromwell's training side: the reference PyTorch model, GGUF export/import, and (later) training."""

from .config import ModelConfig
from .model import CromwellModel, KVCache

__all__ = ["ModelConfig", "CromwellModel", "KVCache"]
