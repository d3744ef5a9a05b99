"""`cromwell-train train`: the training loop over a curriculum, on one CPU or many GPUs.

    cromwell-train train --config run.toml --out runs/nano            # one process
    torchrun --nproc_per_node 8 -m cromwell_train train --config ...  # DDP (NCCL on GPUs, gloo on CPU)

AdamW (no decay on norms), per-stage linear warmup then cosine, gradient clipping, gradient
accumulation, bf16 autocast where the device supports it. Checkpoints hold everything a resumed
run needs to continue bit for bit: model, optimizer, schedule position, RNG states and the data
position (stage and step; the rows of a stage are a pure function of the data and the seed, see
data.py). Evaluation loss on held-out files, an optional hook (e.g. the HumanEval harness) on an
exported GGUF, and a log (log.jsonl) of loss, learning rate and throughput, plotted to loss.png.
"""

import contextlib
import json
import os
import random
import shlex
import subprocess
import time
from dataclasses import asdict
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F

from . import code_tokenizer
from .config import ModelConfig
from .curriculum import Config, load_config
from .data import documents_by_language, heldout_rows, stage_rows
from .logs import plot
from .model import CromwellModel

CHECKPOINT = "latest.pt"


class Distributed:
    """Rank, world size and device; DDP when torchrun started several processes."""

    def __init__(self):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        local = int(os.environ.get("LOCAL_RANK", "0"))
        self.device = torch.device(f"cuda:{local}") if torch.cuda.is_available() else torch.device("cpu")
        if self.world > 1:
            import torch.distributed as dist
            backend = "nccl" if self.device.type == "cuda" else "gloo"
            if self.device.type == "cuda":
                torch.cuda.set_device(self.device)
            dist.init_process_group(backend=backend)

    @property
    def main(self) -> bool:
        return self.rank == 0

    def barrier(self):
        if self.world > 1:
            torch.distributed.barrier()

    def mean(self, value: float) -> float:
        if self.world == 1:
            return value
        t = torch.tensor([value], dtype=torch.float64, device=self.device)
        torch.distributed.all_reduce(t)
        return float(t.item()) / self.world

    def close(self):
        if self.world > 1:
            torch.distributed.destroy_process_group()


def model_config(config: Config, vocab_size: int) -> ModelConfig:
    shape = dict(config.model)
    shape["vocab_size"] = vocab_size
    try:
        return ModelConfig(**shape)
    except TypeError as e:
        raise ValueError(f"{config.path} [model]: {e}") from None


def init_for_training(model: CromwellModel, seed: int, std: float = 0.02) -> CromwellModel:
    """GPT-2 style: normal(0, std) weights, residual outputs scaled by 1/sqrt(2·layers), norms 1."""
    g = torch.Generator().manual_seed(seed)
    residual_std = std / (2 * model.config.num_layers) ** 0.5
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.fill_(1.0)
            elif name.endswith("bias"):
                p.zero_()
            elif name.endswith(("o_proj.weight", "down_proj.weight")):
                p.copy_(residual_std * torch.randn(p.shape, generator=g))
            else:
                p.copy_(std * torch.randn(p.shape, generator=g))
    return model


def make_optimizer(model: torch.nn.Module, settings, lr: float) -> torch.optim.Optimizer:
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() >= 2]
    other = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": settings.weight_decay},
                              {"params": other, "weight_decay": 0.0}],
                             lr=lr, betas=(settings.beta1, settings.beta2))


def autocast_dtype(precision: str, device: torch.device) -> Optional[torch.dtype]:
    if precision == "fp32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    if precision != "auto":
        raise ValueError(f"precision must be auto, bf16 or fp32, got {precision!r}")
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return None  # CPUs without native bf16 run autocast slower than float32


def lm_loss(model, rows: torch.Tensor, dtype: Optional[torch.dtype], device: torch.device) -> torch.Tensor:
    x, y = rows[:, :-1].to(device), rows[:, 1:].to(device)
    with torch.autocast(device_type=device.type, dtype=dtype or torch.bfloat16, enabled=dtype is not None):
        logits = model(x)
    return F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1))


@torch.no_grad()
def evaluate(model, rows: np.ndarray, dtype, device, batch: int = 8) -> float:
    """Mean token cross-entropy (nats) over the held-out rows."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(rows), batch):
        chunk = torch.from_numpy(rows[i:i + batch].astype(np.int64))
        loss = lm_loss(model, chunk, dtype, device)
        n = chunk[:, 1:].numel()
        total += float(loss) * n
        count += n
    model.train(was_training)
    return total / max(1, count)


def rng_state() -> dict:
    state = {"torch": torch.get_rng_state(), "python": random.getstate(), "numpy": np.random.get_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: str, model: CromwellModel, optimizer, position: dict, tok, config: Config) -> None:
    """Written to a temporary file and renamed: a crash never leaves half a checkpoint."""
    state = {
        "format": "cromwell-train-checkpoint-1",
        "model_config": asdict(model.config),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "schedule": {"stage": position["stage"], "step": position["step"]},  # the LR is a function of these
        "position": dict(position),
        "rng": rng_state(),
        "tokenizer": tok.to_str(),
        "config_path": config.path,
    }
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str) -> dict:
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no checkpoint to resume from (run without --resume first)")
    return torch.load(path, map_location="cpu")


class RunLog:
    """log.jsonl of the run; on resume, records after the checkpoint's step are dropped."""

    def __init__(self, out: str, keep_until: Optional[int], enabled: bool):
        self.path = os.path.join(out, "log.jsonl")
        self.enabled = enabled
        if not enabled:
            return
        kept = []
        if keep_until is not None and os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as fh:
                kept = [line for line in fh if json.loads(line).get("step", 0) <= keep_until]
        with open(self.path, "w", encoding="utf-8") as fh:
            fh.writelines(kept)

    def write(self, record: dict) -> None:
        if self.enabled:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")


def run_eval_hook(command: str, model: CromwellModel, tok, out: str, step: int) -> dict:
    """Exports the model and runs the hook command with {gguf} replaced; its last JSON line is kept."""
    from .checkpoint_export import export_model
    path = os.path.join(out, "hook", f"step-{step}.gguf")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    export_model(model, tok, path, "F32")
    done = subprocess.run(command.replace("{gguf}", shlex.quote(path)), shell=True, capture_output=True,
                          text=True, timeout=3600)
    lines = [line for line in done.stdout.strip().splitlines() if line.strip()]
    try:
        result = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        result = {"output": lines[-1]}
    result["returncode"] = done.returncode
    return result


def train_from_config(config_path: str, out: str, resume: bool = False, stop_after: Optional[int] = None,
                      max_minutes: Optional[float] = None, eval_hook: Optional[str] = None, log=print) -> dict:
    config = load_config(config_path)
    dist = Distributed()
    try:
        return _train(config, out, dist, resume, stop_after, max_minutes, eval_hook, log)
    finally:
        dist.close()


def _train(config: Config, out: str, dist: Distributed, resume: bool, stop_after, max_minutes, eval_hook, log):
    os.makedirs(out, exist_ok=True)
    settings = config.train
    tok = code_tokenizer.load(config.resolve(config.tokenizer))
    curated = config.resolve(config.curated)
    checkpoint = load_checkpoint(os.path.join(out, CHECKPOINT)) if resume else None

    torch.manual_seed(settings.seed)
    mc = model_config(config, tok.get_vocab_size())
    model = init_for_training(CromwellModel(mc), settings.seed).to(dist.device)
    optimizer = make_optimizer(model, settings, config.stages[0].lr_peak)
    position = {"stage": 0, "step": 0, "global_step": 0, "tokens": 0}
    if checkpoint is not None:
        if checkpoint["model_config"] != asdict(mc):
            raise ValueError(f"{out}/{CHECKPOINT}: the checkpoint's model shape differs from {config.path}")
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        position = dict(checkpoint["position"])
        set_rng_state(checkpoint["rng"])
    ddp_model = model
    if dist.world > 1:
        from torch.nn.parallel import DistributedDataParallel
        ddp_model = DistributedDataParallel(model, device_ids=[dist.device.index] if dist.device.type == "cuda" else None)
    dtype = autocast_dtype(settings.precision, dist.device)
    run_log = RunLog(out, position["global_step"] if checkpoint else None, dist.main)

    pools = documents_by_language(curated, "train")
    eval_rows = heldout_rows(curated, tok, settings.eval_seq_len, settings.eval_rows)
    rows_per_step = config.rows_per_step(dist.world)
    B = settings.micro_batch
    started = time.monotonic()
    result = {"stopped": "finished"}
    if dist.main:
        params = sum(p.numel() for p in model.parameters())
        log(f"train: {params / 1e6:.1f}M parameters, {len(config.stages)} stages, world {dist.world}, "
            f"device {dist.device}, autocast {dtype}, starting at {position}")

    def checkpoint_now():
        if dist.main:
            save_checkpoint(os.path.join(out, CHECKPOINT), model, optimizer, position, tok, config)
        dist.barrier()

    def eval_now(stage_name):
        if dist.main:
            loss = evaluate(model, eval_rows, dtype, dist.device)
            record = {"step": position["global_step"], "stage": stage_name, "eval_loss": loss,
                      "tokens": position["tokens"]}
            if eval_hook:
                record["hook"] = run_eval_hook(eval_hook, model, tok, out, position["global_step"])
            run_log.write(record)
            log(f"eval: step {position['global_step']} held-out loss {loss:.4f}")
        dist.barrier()

    while position["stage"] < len(config.stages):
        stage = config.stages[position["stage"]]
        steps = stage.steps(rows_per_step)
        rows = stage_rows(pools, tok, stage, steps * rows_per_step, settings.seed)
        window_start, window_tokens = time.monotonic(), 0
        while position["step"] < steps:
            step = position["step"]
            lr = stage.lr(step, steps)
            for group in optimizer.param_groups:
                group["lr"] = lr
            loss_sum = 0.0
            for m in range(settings.accumulation):
                first = step * rows_per_step + m * B * dist.world + dist.rank * B
                batch = torch.from_numpy(rows[first:first + B].astype(np.int64))
                sync_now = m == settings.accumulation - 1 or dist.world == 1
                context = ddp_model.no_sync() if not sync_now else contextlib.nullcontext()
                with context:
                    loss = lm_loss(ddp_model, batch, dtype, dist.device) / settings.accumulation
                    loss.backward()
                loss_sum += float(loss)
            grad_norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip))
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step_tokens = rows_per_step * stage.seq_len
            window_tokens += step_tokens
            position.update(step=step + 1, global_step=position["global_step"] + 1,
                            tokens=position["tokens"] + step_tokens)
            loss_mean = dist.mean(loss_sum)
            g = position["global_step"]
            if g % settings.log_every == 0 or position["step"] == steps:
                elapsed = time.monotonic() - window_start
                record = {"step": g, "stage": stage.name, "loss": loss_mean, "lr": lr, "grad_norm": grad_norm,
                          "tokens": position["tokens"], "tokens_per_s": window_tokens / max(elapsed, 1e-9),
                          "elapsed_s": time.monotonic() - started}
                run_log.write(record)
                if dist.main:
                    log(f"step {g} [{stage.name} {position['step']}/{steps}] loss {loss_mean:.4f} lr {lr:.2e} "
                        f"{record['tokens_per_s']:.0f} tok/s")
                window_start, window_tokens = time.monotonic(), 0
            if position["step"] == steps:
                position.update(stage=position["stage"] + 1, step=0)
            if g % settings.eval_every == 0 or position["step"] == 0:
                eval_now(stage.name)
            out_of_time = max_minutes is not None and (time.monotonic() - started) / 60 >= max_minutes
            # Every rank must agree to stop, or the others would wait forever in the next all-reduce.
            out_of_time = dist.mean(float(out_of_time)) > 0
            stopping = (stop_after is not None and g >= stop_after) or out_of_time
            if stopping or g % settings.checkpoint_every == 0 or position["step"] == 0:
                checkpoint_now()
            if window_tokens == 0:  # throughput counts training only, not evaluation or checkpoints
                window_start = time.monotonic()
            if stopping:
                result = {"stopped": "time limit" if out_of_time else "stop-after"}
                break
            if position["step"] == 0:
                break
        if result["stopped"] != "finished":
            break
    result.update(position=position, model_config=asdict(mc))
    if dist.main:
        plot(run_log.path, os.path.join(out, "loss.png"))
        log(f"train: {result['stopped']} at {position}; checkpoint {os.path.join(out, CHECKPOINT)}")
    return result
