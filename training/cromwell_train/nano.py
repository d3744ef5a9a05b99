"""`cromwell-train nano`: Cromwell-nano end to end on this machine's offline sources, one command.

1. curate the Python standard library (/usr/lib/python3.*) and java.base from the JDK's src.zip;
2. train the code-aware tokenizer (8192 tokens);
3. measure this machine's training speed at each stage's sequence length and scale the
   curriculum's token budgets (configs/nano.toml) to the requested minutes;
4. train through the four stages;
5. export to GGUF, check tokenizer parity with the engine (`cromwell tokenize`), describe the
   model (`cromwell info`) and complete code with it (`cromwell generate`);
6. held-out loss against a unigram baseline (add-one smoothed token frequencies of the training
   split), the loss plot, and a summary.json.
Every stage whose output already exists is reused, so a rerun continues where one stopped.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import torch

from . import code_tokenizer
from .cpu import choose_threads
from .curate import curate, read_documents
from .curriculum import load_config
from .data import heldout_rows, documents_by_language, stage_rows
from .logs import plot
from .model import CromwellModel
from .trainer import init_for_training, lm_loss, make_optimizer, model_config, train_from_config

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CROMWELL = os.path.join(ROOT, "bin", "cromwell")
TEMPLATE = os.path.join(ROOT, "training", "configs", "nano.toml")
JDK_SRC = "/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip"
VOCAB = 8192
# Held-out rows (of the eval length) for the final loss and the baseline: ~50k tokens, minutes on a CPU.
HELDOUT_ROWS = 200
PROMPT = "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n"

PARITY_CORPUS = [
    "def add(a, b):\n    return a + b\n\n\nclass Point:\n    def __init__(self, x, y):\n        self.x = x\n",
    "public final class Main {\n    public static void main(String[] args) {\n        System.out.println(\"hi\" + 42);\n    }\n}\n",
    "#include <stdio.h>\nint main(void) {\n\tfor (int i = 0; i < 10; i++) printf(\"%d\\n\", i);\n\treturn 0;\n}\n",
    "fn main() {\n    let v: Vec<u32> = (1..=100).filter(|x| x % 7 == 0).collect();\n    println!(\"{:?}\", v);\n}\n",
    "const f = async (xs) => xs.map(x => x ** 2).reduce((a, b) => a + b, 0); // ES2017\n",
    "größe = 'Straße'  # 日本語のコメント, ελληνικά, русский, emoji 😀👍🏽, math ∑∫≈\n",
    "x = 1" + " " * 40 + "\n" + "\t" * 6 + "deep\n\n\n\n" + " " * 64 + "end\r\n",
    "<FILE=src/app/main.py>\nimport os\n</FILE>\n<EDIT_START=src/app/main.py:3:7>rename x<EDIT_END><DELETE_START>\n",
    "<|fim_prefix|>def f(x):\n    <|fim_suffix|>\n    return y<|fim_middle|>y = x * 2<|endoftext|>",
    "SELECT id, name FROM users WHERE age >= 18 ORDER BY name;  -- 0x1F 3.14159e-10 1_000_000\n",
]


def say(message: str) -> None:
    print(f"nano: {message}", flush=True)


def python_stdlib() -> str:
    found = sorted(glob.glob("/usr/lib/python3.[0-9]*"))
    found = [p for p in found if os.path.exists(os.path.join(p, "os.py"))]
    if not found:
        raise FileNotFoundError("/usr/lib/python3.*: no Python standard library sources found")
    return found[-1]


def measure_rates(config, tok, pools, seconds: float) -> list:
    """Training tokens per second of this model at each stage's sequence length, on this machine now."""
    model = init_for_training(CromwellModel(model_config(config, tok.get_vocab_size())), 0)
    optimizer = make_optimizer(model, config.train, 1e-4)
    rates = []
    for stage in config.stages:
        rows = stage_rows(pools, tok, stage, config.train.micro_batch, config.train.seed)
        batch = torch.from_numpy(rows.astype(np.int64))
        lm_loss(model, batch, None, torch.device("cpu")).backward()  # warm-up
        start, tokens = time.monotonic(), 0
        while time.monotonic() - start < seconds:
            lm_loss(model, batch, None, torch.device("cpu")).backward()
            optimizer.step()
            optimizer.zero_grad()
            tokens += batch[:, 1:].numel()
        rates.append(tokens / (time.monotonic() - start))
    return rates


def scaled_config(template: str, out: str, seconds: float, rates: list) -> str:
    """The template with every stage's token budget scaled by one factor, so that the stages at
    their measured speeds add up to `seconds` (the proportions between stages stay)."""
    text = open(template, encoding="utf-8").read()
    budgets = [int(v.replace("_", "")) for v in re.findall(r"^tokens = ([0-9_]+)", text, re.M)]
    scale = seconds / sum(b / r for b, r in zip(budgets, rates))
    text = re.sub(r"^tokens = ([0-9_]+)", lambda m: f"tokens = {int(int(m.group(1).replace('_', '')) * scale)}",
                  text, flags=re.M)
    path = os.path.join(out, "nano.toml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def unigram_baseline(curated: str, tok, eval_rows: np.ndarray) -> float:
    """Cross-entropy (nats/token) of add-one smoothed training-token frequencies on the held-out targets."""
    counts = np.ones(tok.get_vocab_size(), dtype=np.float64)
    eos = code_tokenizer.special_id(tok, code_tokenizer.EOS)
    texts = [d["text"] for d in read_documents(curated, "train")]
    for i in range(0, len(texts), 256):
        for enc in tok.encode_batch(texts[i:i + 256], add_special_tokens=False):
            np.add.at(counts, enc.ids, 1)
            counts[eos] += 1
    logp = np.log(counts / counts.sum())
    targets = eval_rows[:, 1:].reshape(-1)
    return float(-logp[targets].mean())


def cromwell(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    jar = os.path.join(ROOT, "lsp-server", "target", "cromwell.jar")
    if not os.path.exists(jar):
        raise FileNotFoundError(f"{jar}: build the engine first (bin/build)")
    return subprocess.run([CROMWELL, *args], capture_output=True, text=True, timeout=timeout)


def tokenizer_parity(tok, gguf: str, folder: str, texts=PARITY_CORPUS) -> dict:
    """Engine ids (`cromwell tokenize --ids --special`) against `tokenizers` ids on a corpus of code in
    several languages, unicode, long whitespace and the special tokens. The texts are joined with
    <|endoftext|> (a special token on both sides, so they cannot interact) for one engine call."""
    text = code_tokenizer.EOS.join(texts)
    path = os.path.join(folder, "parity.txt")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    done = cromwell("tokenize", "--ids", "--special", "-m", gguf, "-f", path, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"cromwell tokenize failed: {done.stderr.strip()}")
    engine = [int(t) for t in done.stdout.split()]
    expected = tok.encode(text, add_special_tokens=False).ids
    first_difference = next((i for i, (a, b) in enumerate(zip(engine, expected)) if a != b),
                            None if len(engine) == len(expected) else min(len(engine), len(expected)))
    return {"texts": len(texts), "characters": len(text), "tokens": len(expected), "equal": engine == expected,
            "first_difference": first_difference}


def run_nano(out: str, minutes: float = 30.0, report_dir: str = None, inputs=None, include=("*.py", "java.base/*"),
             vocab: int = VOCAB, template: str = TEMPLATE, rate_seconds: float = 15.0, heldout: float = 0.01,
             hard_stop_minutes: float = None, say=say) -> dict:
    """The whole pipeline; the keyword arguments let the CI smoke run it on a fixture corpus.
    Training stops at `hard_stop_minutes` (default 1.5 × minutes) even if the curriculum is not done."""
    threads = choose_threads()
    say(f"{threads} PyTorch thread(s) (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    out = os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    curated = os.path.join(out, "data")
    if not os.path.exists(os.path.join(curated, "manifest.json")):
        if inputs is None:
            inputs = [python_stdlib()] + ([JDK_SRC] if os.path.exists(JDK_SRC) else [])
        say(f"curating {inputs}")
        curate(inputs, curated, include=list(include), heldout=heldout, log=say)
    manifest = json.load(open(os.path.join(curated, "manifest.json")))
    say(f"manifest stages {manifest['stages']}")

    tok_path = os.path.join(out, "tokenizer.json")
    if not os.path.exists(tok_path):
        say(f"training the tokenizer ({vocab} tokens)")
        code_tokenizer.train_tokenizer(curated, vocab, tok_path)
    tok = code_tokenizer.load(tok_path)

    config_path = os.path.join(out, "nano.toml")
    run = os.path.join(out, "run")
    if not os.path.exists(config_path):
        shutil.copy(template, config_path)  # to read the model shape; budgets are scaled below
        config = load_config(config_path)
        pools = documents_by_language(curated, "train")
        rates = measure_rates(config, tok, pools, rate_seconds)
        # 20% for evaluation, checkpoints and a shared machine's speed changing under us.
        scaled_config(template, out, minutes * 60 * 0.8, rates)
        say(f"measured {', '.join(f'{r:.0f}' for r in rates)} training tokens/s at the stages' lengths; "
            f"budgets {[s.tokens for s in load_config(config_path).stages]}")
    resume = os.path.exists(os.path.join(run, "latest.pt"))
    started = time.monotonic()
    # A hard stop at 1.5x keeps the command bounded; rerunning it resumes from the checkpoint.
    hard_stop = minutes * 1.5 if hard_stop_minutes is None else hard_stop_minutes
    result = train_from_config(config_path, run, resume=resume, max_minutes=hard_stop, log=say)
    train_minutes = (time.monotonic() - started) / 60

    from .checkpoint_export import export_checkpoint, model_from_checkpoint
    gguf = export_checkpoint(os.path.join(run, "latest.pt"), os.path.join(out, "cromwell-nano.gguf"), "F32")
    model, tok = model_from_checkpoint(os.path.join(run, "latest.pt"))
    config = load_config(config_path)
    eval_rows = heldout_rows(curated, tok, config.train.eval_seq_len, HELDOUT_ROWS)
    from .trainer import evaluate
    heldout = evaluate(model, eval_rows, None, torch.device("cpu"))
    baseline = unigram_baseline(curated, tok, eval_rows)
    plot(os.path.join(run, "log.jsonl"), os.path.join(out, "loss.png"), baseline=baseline)

    parity = tokenizer_parity(tok, gguf, out)
    info = cromwell("info", gguf)
    generation = cromwell("generate", "-m", gguf, "-p", PROMPT, "-n", "64", "--temp", "0", "-t", "2")
    completion = {"prompt": PROMPT, "completion": generation.stdout, "stats": generation.stderr.strip(),
                  "returncode": generation.returncode}
    summary = {
        "manifest_stages": manifest["stages"], "dropped_by_reason": manifest["dropped_by_reason"],
        "secrets_replaced": manifest["secrets_replaced"], "kept_by_language": manifest["kept_by_language"],
        "tokenizer": {"vocab_size": tok.get_vocab_size(), "parity": parity},
        "model": result["model_config"], "parameters": sum(p.numel() for p in model.parameters()),
        "training": {"stopped": result["stopped"], "position": result["position"], "minutes": train_minutes},
        "heldout": {"rows": int(len(eval_rows)), "tokens": int(eval_rows[:, 1:].size), "loss_nats": heldout,
                    "unigram_baseline_nats": baseline, "perplexity": float(np.exp(heldout)),
                    "unigram_perplexity": float(np.exp(baseline))},
        "completion": completion,
    }
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=2, ensure_ascii=False)
    with open(os.path.join(out, "parity.json"), "w", encoding="utf-8") as fh:
        json.dump(parity, fh, indent=2, ensure_ascii=False)
    with open(os.path.join(out, "info.txt"), "w", encoding="utf-8") as fh:
        fh.write(info.stdout + info.stderr)
    with open(os.path.join(out, "completion.txt"), "w", encoding="utf-8") as fh:
        fh.write(f"$ bin/cromwell generate -m cromwell-nano.gguf -p <prompt> -n 64 --temp 0\n--- prompt\n{PROMPT}"
                 f"--- completion\n{generation.stdout}\n--- stats\n{generation.stderr}")
    if report_dir:
        os.makedirs(report_dir, exist_ok=True)
        for name in ("summary.json", "parity.json", "info.txt", "completion.txt", "loss.png", "nano.toml"):
            shutil.copy(os.path.join(out, name), os.path.join(report_dir, "nano-" + name))
        shutil.copy(os.path.join(curated, "manifest.json"), os.path.join(report_dir, "nano-manifest.json"))
        shutil.copy(os.path.join(run, "log.jsonl"), os.path.join(report_dir, "nano-log.jsonl"))
    say(f"held-out loss {heldout:.3f} nats/token vs unigram {baseline:.3f}; tokenizer parity "
        f"{'exact' if parity['equal'] else 'DIFFERS'} on {parity['tokens']} tokens; completion:\n{PROMPT}{generation.stdout}")
    return summary
