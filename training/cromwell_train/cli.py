"""`cromwell-train` (or `python -m cromwell_train`): one subcommand per stage of the pipeline.

Bad input (a missing folder, a broken config) ends with one line naming the file and the fix,
never a stack trace.
"""

import argparse
import sys


def _curate(args) -> None:
    from .curate import Filters, curate
    filters = Filters(max_bytes=args.max_bytes)
    m = curate(args.inputs, args.out, include=args.include or [], filters=filters,
               benchmark=args.benchmark, heldout=args.heldout)
    j = m.to_json()
    print(f"curate: wrote {args.out}/manifest.json: stages {j['stages']}, dropped {j['dropped_by_reason']}, "
          f"secrets {j['secrets_replaced']}")


def _tokenizer(args) -> None:
    from .code_tokenizer import train_tokenizer
    tok = train_tokenizer(args.data, args.vocab_size, args.out, max_documents=args.max_documents)
    print(f"tokenizer: {tok.get_vocab_size()} tokens written to {args.out}")


def _train(args) -> None:
    from .trainer import train_from_config
    if args.threads:
        import torch
        torch.set_num_threads(args.threads)
    train_from_config(args.config, args.out, resume=args.resume, stop_after=args.stop_after,
                      max_minutes=args.max_minutes, eval_hook=args.eval_hook)


def _export(args) -> None:
    from .checkpoint_export import export_checkpoint
    path = export_checkpoint(args.checkpoint, args.out, args.type)
    print(f"export: wrote {path}")


def _finetune(args) -> None:
    from .finetune import finetune
    finetune(args.model, args.repo, args.out, steps=args.steps, seq_len=args.seq_len, lora=not args.full,
             rank=args.rank, lr=args.lr, micro_batch=args.micro_batch, eval_rows=args.eval_rows,
             tensor_type=args.type, report=args.report, max_minutes=args.max_minutes)


def _nano(args) -> None:
    from .nano import run_nano
    run_nano(args.out, minutes=args.minutes, report_dir=args.report)


def _plot(args) -> None:
    from .logs import plot
    print(f"plot: wrote {plot(args.log, args.out)}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cromwell-train", description="Cromwell's training pipeline.")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("curate", help="folders, git repositories or zips → filtered, deduplicated JSONL shards")
    c.add_argument("inputs", nargs="+", help="folders, git work trees or zip archives")
    c.add_argument("--out", required=True, help="output folder (shards, manifest.json, dropped.jsonl)")
    c.add_argument("--include", action="append", help="only paths matching this glob (repeatable)")
    c.add_argument("--benchmark", help="HumanEval.jsonl.gz to decontaminate against (default: shared/testdata)")
    c.add_argument("--heldout", type=float, default=0.01, help="fraction of files held out for evaluation")
    c.add_argument("--max-bytes", type=int, default=1_000_000)
    c.set_defaults(run=_curate)

    t = sub.add_parser("tokenizer", help="train the code-aware byte-level BPE on curated data")
    t.add_argument("--data", required=True, help="a curated folder")
    t.add_argument("--vocab-size", type=int, default=16384)
    t.add_argument("--max-documents", type=int, default=None)
    t.add_argument("--out", required=True, help="tokenizer.json to write")
    t.set_defaults(run=_tokenizer)

    r = sub.add_parser("train", help="train through a curriculum (a TOML file); torchrun for DDP")
    r.add_argument("--config", required=True, help="curriculum TOML (see training/configs/nano.toml)")
    r.add_argument("--out", required=True, help="run folder: checkpoints, log.jsonl, loss.png")
    r.add_argument("--resume", action="store_true", help="continue from the run folder's last checkpoint")
    r.add_argument("--stop-after", type=int, default=None, help="stop after this many optimizer steps")
    r.add_argument("--max-minutes", type=float, default=None, help="stop (with a checkpoint) after this long")
    r.add_argument("--threads", type=int, default=0,
                   help="PyTorch CPU threads (0: PyTorch's default; 1 is faster on an oversubscribed machine)")
    r.add_argument("--eval-hook", default=None,
                   help="shell command run at each evaluation with {gguf} replaced by an exported model; "
                        "its last stdout line, if JSON, goes into the log (e.g. the HumanEval harness)")
    r.set_defaults(run=_train)

    e = sub.add_parser("export", help="a checkpoint → GGUF with its tokenizer")
    e.add_argument("checkpoint")
    e.add_argument("--out", required=True)
    e.add_argument("--type", default="F32", choices=["F32", "F16", "BF16", "Q8_0"])
    e.set_defaults(run=_export)

    f = sub.add_parser("finetune", help="LoRA (peft) or full fine-tuning of a GGUF model on one repository")
    f.add_argument("--model", required=True, help="a llama/qwen2 GGUF (e.g. the SmolLM2-135M of the store)")
    f.add_argument("--repo", required=True, help="the repository (folder) to adapt to")
    f.add_argument("--out", required=True, help="the merged model to write (.gguf)")
    f.add_argument("--steps", type=int, default=60)
    f.add_argument("--seq-len", type=int, default=256)
    f.add_argument("--micro-batch", type=int, default=4, help="sequences per step")
    f.add_argument("--eval-rows", type=int, default=24, help="held-out sequences to measure the loss on")
    f.add_argument("--rank", type=int, default=16)
    f.add_argument("--lr", type=float, default=1e-3)
    f.add_argument("--full", action="store_true", help="full fine-tuning instead of LoRA")
    f.add_argument("--type", default="Q8_0", choices=["F32", "F16", "BF16", "Q8_0"])
    f.add_argument("--max-minutes", type=float, default=None)
    f.add_argument("--report", default=None, help="write the before/after numbers to this JSON file")
    f.set_defaults(run=_finetune)

    n = sub.add_parser("nano", help="the whole Cromwell-nano pipeline on this machine's offline sources")
    n.add_argument("--out", required=True)
    n.add_argument("--minutes", type=float, default=30.0, help="training time")
    n.add_argument("--report", default=None, help="folder for the run's report files")
    n.set_defaults(run=_nano)

    g = sub.add_parser("plot", help="loss/LR/throughput curves of a log.jsonl as a PNG")
    g.add_argument("log")
    g.add_argument("--out", required=True)
    g.set_defaults(run=_plot)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except (FileNotFoundError, ValueError, KeyError) as e:
        message = e.args[0] if e.args else str(e)
        print(f"cromwell-train {args.command}: {message}", file=sys.stderr)
        return 2
    return 0
