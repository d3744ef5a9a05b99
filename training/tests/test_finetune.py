"""Fine-tuning: LoRA through peft on a model imported from GGUF, merged and exported; the engine
runs the merged file with the merged model's logits. SmolLM2's tokenizer, rebuilt from its GGUF,
gives the engine's ids (so fine-tuning sees the text exactly as serving will)."""

import os

import numpy as np
import pytest
import torch

import corpus
from cromwell_train import gguf_tokenizer
from cromwell_train.config import ModelConfig
from cromwell_train.export_gguf import export
from cromwell_train.finetune import finetune
from cromwell_train.import_gguf import load
from cromwell_train.model import CromwellModel
from cromwell_train.vocab import build_vocabulary

SMOLLM2 = os.path.join(os.environ.get("CROMWELL_HOME", os.path.join(
    os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "cromwell")), "models", "smollm2-135m-instruct.gguf")


def test_lora_finetune_merges_and_exports_what_the_engine_runs(tmp_path):
    from test_parity import run_engine
    base = str(tmp_path / "base.gguf")
    config = ModelConfig(vocab_size=384, hidden_size=64, num_layers=2, num_heads=4, num_kv_heads=2,
                         intermediate_size=128, max_position=256)
    export(CromwellModel(config).init_random(std=0.05, seed=3), build_vocabulary(384), base)
    repo = corpus.build(str(tmp_path / "src"), unique=8, git=False)["inputs"][0]
    out = str(tmp_path / "tuned.gguf")
    result = finetune(base, repo, out, steps=4, seq_len=32, rank=4, lr=1e-2, tensor_type="F32", log=lambda m: None)
    assert result["steps"] == 4 and result["method"].startswith("LoRA")
    assert np.isfinite(result["loss_before"]) and result["loss_after"] != result["loss_before"]
    assert abs(result["loss_after"] - result["loss_after_merge"]) < 1e-4
    tuned = load(out).double()
    tokens = list(range(5, 40))
    with torch.no_grad():
        reference = tuned(torch.tensor([tokens]))[0].numpy()
    engine = np.array(run_engine(out, [tokens])[0]["logits"])
    assert np.abs(engine - reference).max() <= 1e-4 * np.abs(reference).max()
    assert not np.allclose(reference, load(base).double()(torch.tensor([tokens]))[0].detach().numpy())


def test_smollm2_tokenizer_from_gguf_matches_the_engine(tmp_path):
    if not os.path.exists(SMOLLM2):
        pytest.fail(f"{SMOLLM2} is missing: CI puts it into the model store (.ci/run); copy smollm2-135m-instruct.gguf there")
    from test_tokenizer import engine_ids
    tok = gguf_tokenizer.load(SMOLLM2)
    text = corpus.java_file(__import__("random").Random(5), "Smol") + "x = 12345 größe 😀\r\n\t<|im_start|>user\n"
    assert engine_ids(SMOLLM2, text, str(tmp_path)) == tok.encode(text, add_special_tokens=False).ids
