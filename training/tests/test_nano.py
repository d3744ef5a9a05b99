"""The one-command nano pipeline, end to end on the fixture corpus in seconds: curate, tokenizer,
speed-scaled curriculum, training, export, engine parity, `cromwell info` and a completion."""

import json
import os

import corpus
from cromwell_train.nano import run_nano
from test_train import CONFIG


def test_nano_pipeline_end_to_end_on_a_fixture_corpus(tmp_path):
    inputs = corpus.build(str(tmp_path / "src"), unique=16, git=False)["inputs"]
    template = tmp_path / "tiny.toml"
    template.write_text(CONFIG.format(accumulation=1, precision="fp32", tied="true"))
    out, report = tmp_path / "nano", tmp_path / "report"
    summary = run_nano(str(out), minutes=0.1, report_dir=str(report), inputs=inputs,
                       include=("*.py", "*.java", "*.js"), vocab=400, template=str(template), rate_seconds=0.5, heldout=0.2,
                       # budgets fit 0.1 minutes at the measured speed; a shared machine may slow
                       # down after measuring, so the hard stop (1.5x by default) is generous here
                       hard_stop_minutes=5, say=lambda m: None)
    assert summary["manifest_stages"]["near_dedup"]["dropped"] == 1
    assert summary["tokenizer"]["parity"]["equal"] and summary["tokenizer"]["parity"]["tokens"] > 500
    assert summary["training"]["stopped"] == "finished" and summary["training"]["position"]["stage"] == 2
    held = summary["heldout"]
    assert held["tokens"] > 0 and held["loss_nats"] > 0 and held["unigram_baseline_nats"] > 0
    assert summary["completion"]["returncode"] == 0, summary["completion"]["stats"]
    assert "llama" in open(out / "info.txt").read()
    for name in ("summary.json", "parity.json", "info.txt", "completion.txt", "loss.png", "manifest.json", "log.jsonl"):
        assert os.path.getsize(report / f"nano-{name}") > 0, name
    assert json.load(open(report / "nano-summary.json"))["parameters"] == summary["parameters"]
