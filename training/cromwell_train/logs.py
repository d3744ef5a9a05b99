"""The run's curves as one PNG: training and held-out loss, learning rate, throughput."""

import json
import os


def read_log(path: str):
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no training log (it is written by `cromwell-train train`)")
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def plot(log_path: str, png: str, baseline: float = None) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = read_log(log_path)
    train = [r for r in records if "loss" in r]
    held = [r for r in records if "eval_loss" in r]
    fig, axes = plt.subplots(3, 1, figsize=(8, 9), sharex=True)
    axes[0].plot([r["tokens"] for r in train], [r["loss"] for r in train], label="training loss")
    axes[0].plot([r["tokens"] for r in held], [r["eval_loss"] for r in held], "o-", label="held-out loss")
    if baseline is not None:
        axes[0].axhline(baseline, color="grey", linestyle="--", label=f"unigram baseline {baseline:.2f}")
    axes[0].set_ylabel("cross-entropy (nats/token)")
    axes[0].legend()
    stages = {}
    for r in train:
        stages.setdefault(r["stage"], r["tokens"])
    for name, start in stages.items():
        for ax in axes:
            ax.axvline(start, color="lightgrey", linewidth=0.8)
        axes[0].annotate(name, (start, axes[0].get_ylim()[1]), fontsize=7, va="top")
    axes[1].plot([r["tokens"] for r in train], [r["lr"] for r in train])
    axes[1].set_ylabel("learning rate")
    axes[2].plot([r["tokens"] for r in train], [r["tokens_per_s"] for r in train])
    axes[2].set_ylabel("tokens / s")
    axes[2].set_xlabel("training tokens")
    fig.tight_layout()
    tmp = png + ".tmp.png"
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, png)
    return png
