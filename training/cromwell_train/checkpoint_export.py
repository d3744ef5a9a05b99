"""A training checkpoint → GGUF with its trained tokenizer, through export_gguf.export (the same
writer the engine's logit-parity tests check)."""

import os

import torch

from . import code_tokenizer
from .config import ModelConfig
from .export_gguf import export
from .model import CromwellModel


def export_model(model: CromwellModel, tok, path: str, tensor_type: str = "F32", name: str = "cromwell-nano") -> str:
    # GGUFWriter writes a temporary file and renames it: never a half-written model.
    return export(model, code_tokenizer.to_vocabulary(tok), path, tensor_type, name=name)


def model_from_checkpoint(path: str):
    from tokenizers import Tokenizer
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such checkpoint (train writes <run>/latest.pt)")
    state = torch.load(path, map_location="cpu")
    if state.get("format") != "cromwell-train-checkpoint-1":
        raise ValueError(f"{path}: not a cromwell-train checkpoint")
    model = CromwellModel(ModelConfig(**state["model_config"]))
    model.load_state_dict(state["model"])
    return model.eval(), Tokenizer.from_str(state["tokenizer"])


def export_checkpoint(checkpoint: str, out: str, tensor_type: str = "F32") -> str:
    model, tok = model_from_checkpoint(checkpoint)
    return export_model(model, tok, out, tensor_type)
