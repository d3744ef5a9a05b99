"""`cromwell-train finetune`: adapt a catalogue model (e.g. SmolLM2-135M) to one repository.

    cromwell-train finetune --model ~/.cache/cromwell/models/smollm2-135m-instruct.gguf \\
        --repo /path/to/repo --out repo-smollm2.gguf --steps 60

The GGUF is imported into the reference model (import_gguf: quantized weights decoded to
float32), the repository's files go through the same filters as curation (curate.filter_reason)
and a stable ~10% of them (at least one) are held out. LoRA adapters (peft) on every attention
and feed-forward projection are trained with AdamW, merged into the weights, and the merged model
is exported with the original tokenizer metadata. Held-out loss is measured before, after
training and after merging (the last two must agree: merging is exact up to float rounding).
"""

import json
import os
import random
import time
from typing import List, Optional

import numpy as np
import torch

from . import gguf_tokenizer
from .cpu import choose_threads
from .curate import Filters, discover, filter_reason, is_heldout
from .export_gguf import export
from .gguf import GGUFReader
from .import_gguf import load as load_gguf
from .packing import evenly_spaced, pack
from .trainer import evaluate, lm_loss

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


class CopiedTokenizer:
    """Every tokenizer.* key of the source GGUF, written back unchanged by export()."""

    def __init__(self, metadata: dict):
        self.metadata = {k: v for k, v in metadata.items() if k.startswith("tokenizer.")}
        self.tokens = self.metadata["tokenizer.ggml.tokens"]

    def gguf_metadata(self) -> dict:
        return self.metadata


def repository_documents(repo: str, heldout_fraction: float = 0.1):
    """(train texts, held-out texts) of a repository's source files, filtered like curation."""
    train, held = [], []
    for raw in discover(repo, []):
        reason, text = filter_reason(raw, Filters())
        if reason is None:
            (held if is_heldout(raw.repo, raw.path, heldout_fraction) else train).append(text)
    if not train:
        raise ValueError(f"{repo}: no source files left to train on after filtering")
    if not held:  # a small repository still gets one held-out file
        held.append(train.pop())
    return train, held


def rows_of(tok, texts: List[str], eos: int, seq_len: int, limit: Optional[int] = None) -> np.ndarray:
    encoded = (e.ids + [eos] for e in tok.encode_batch(texts, add_special_tokens=False))
    rows, _ = pack(encoded, seq_len, max_rows=limit)
    return rows


def add_lora(model, rank: int):
    from peft import LoraConfig, inject_adapter_in_model
    config = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules=TARGETS, bias="none")
    model = inject_adapter_in_model(config, model)
    for name, p in model.named_parameters():
        p.requires_grad = "lora_" in name
    return model


def merge_lora(model):
    """Folds every LoRA adapter into its base linear layer and puts the plain nn.Linear back."""
    from peft.tuners.lora import LoraLayer
    for parent in list(model.modules()):
        for child_name, child in list(parent.named_children()):
            if isinstance(child, LoraLayer):
                child.merge()
                setattr(parent, child_name, child.get_base_layer())
    return model


def finetune(model_path: str, repo: str, out: str, steps: int = 60, seq_len: int = 256, lora: bool = True,
             rank: int = 16, lr: float = 1e-3, micro_batch: int = 4, tensor_type: str = "Q8_0",
             report: Optional[str] = None, max_minutes: Optional[float] = None, eval_rows: int = 24,
             seed: int = 1, log=print) -> dict:
    if not os.path.exists(model_path):
        raise FileNotFoundError(f"{model_path}: no such model (cromwell pull, or see the catalogue)")
    torch.manual_seed(seed)
    log(f"finetune: {choose_threads()} PyTorch thread(s)")
    reader = GGUFReader(model_path)
    tok = gguf_tokenizer.from_metadata(reader.metadata, model_path)
    eos = int(reader.metadata.get("tokenizer.ggml.eos_token_id", 0))
    del reader
    train_texts, held_texts = repository_documents(repo)
    random.Random(seed).shuffle(train_texts)
    train = rows_of(tok, train_texts, eos, seq_len, limit=steps * micro_batch)
    # Packed rows are consecutive pieces of the files: shuffled, a step's rows come from several
    # files instead of one (see data.py).
    train = train[np.random.default_rng(seed).permutation(len(train))]
    held = evenly_spaced(rows_of(tok, held_texts, eos, seq_len), eval_rows)
    if len(train) == 0 or len(held) == 0:
        raise ValueError(f"{repo}: too little text for sequences of {seq_len} tokens (try --seq-len 64)")
    log(f"finetune: {len(train_texts)} training files → {len(train)} rows, {len(held_texts)} held-out files → "
        f"{len(held)} rows of {seq_len} tokens")

    model = load_gguf(model_path)
    device = torch.device("cpu")
    before = evaluate(model, held, None, device, batch=4)
    log(f"finetune: held-out loss before {before:.4f}")
    model = add_lora(model, rank) if lora else model
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.0)
    model.train()
    started, done_steps, losses = time.monotonic(), 0, []
    total_steps = max(1, len(train) // micro_batch)
    for step in range(total_steps):
        for group in optimizer.param_groups:  # linear warmup over 10%, then linear decay
            warm = max(1, total_steps // 10)
            group["lr"] = lr * min((step + 1) / warm, (total_steps - step) / max(1, total_steps - warm))
        batch = torch.from_numpy(train[step * micro_batch:(step + 1) * micro_batch].astype(np.int64))
        loss = lm_loss(model, batch, None, device)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(float(loss))
        done_steps += 1
        if step % 10 == 0:
            log(f"finetune: step {step + 1}/{total_steps} loss {float(loss):.4f}")
        if max_minutes is not None and (time.monotonic() - started) / 60 >= max_minutes:
            break
    train_seconds = time.monotonic() - started
    after = evaluate(model, held, None, device, batch=4)
    merged_loss = after
    if lora:
        model = merge_lora(model)
        merged_loss = evaluate(model, held, None, device, batch=4)
    log(f"finetune: held-out loss after {after:.4f} (merged {merged_loss:.4f})")
    model.eval()
    metadata = GGUFReader(model_path).metadata
    export(model, CopiedTokenizer(metadata), out, tensor_type,
           name=f"{metadata.get('general.name', 'model')} + {os.path.basename(os.path.abspath(repo))}")
    result = {"model": model_path, "repo": os.path.abspath(repo), "method": f"LoRA r={rank} (peft), merged" if lora else "full",
              "steps": done_steps, "seq_len": seq_len, "micro_batch": micro_batch, "lr": lr,
              "train_files": len(train_texts), "heldout_files": len(held_texts),
              "heldout_tokens": int(held[:, 1:].size), "loss_before": before, "loss_after": after,
              "loss_after_merge": merged_loss, "train_seconds": train_seconds,
              "first_losses": losses[:5], "last_losses": losses[-5:], "out": os.path.abspath(out),
              "tensor_type": tensor_type}
    if report:
        with open(report, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
    log(f"finetune: wrote {out}")
    return result

