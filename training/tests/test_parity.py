"""Logit parity between the PyTorch reference model and Cromwell's Java engine.

Random tiny models over a matrix of configurations are exported to GGUF, run by the engine
(`bin/cromwell logits`) and compared with the reference computed in float64:

* F32 files are compared with the original model.
* F16 and Q8_0 files are compared with the model loaded back from the same GGUF, so the weights
  are identical and quantization error is not counted.

Tolerance: at every position, max |engine - reference| <= 1e-4 * max |reference logit|. The
engine computes in float32 and the reference in float64 on the same weights, so the expected gap
is float32 rounding accumulated over a few layers (~1e-6 relative); a wrong operation (RoPE
pairing, mask, bias, norm, permutation) moves logits by their own magnitude.
"""

import json
import os
import subprocess

import numpy as np
import pytest
import torch

from cromwell_train.config import ModelConfig
from cromwell_train.export_gguf import export
from cromwell_train.import_gguf import load
from cromwell_train.model import CromwellModel
from cromwell_train.vocab import build_vocabulary

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CROMWELL = os.path.join(ROOT, "bin", "cromwell")
JAR = os.path.join(ROOT, "lsp-server", "target", "cromwell.jar")
TOLERANCE = 1e-4
VOCAB = 384
LENGTHS = (1, 7, 300)
GREEDY = 32

# name: (hidden, layers, heads, kv_heads, ffn, rope_style, qkv_bias, tied)
CONFIGS = {
    "mha-normal-untied": (64, 2, 4, 4, 96, "normal", False, False),
    "gqa-neox-tied-bias": (64, 2, 4, 2, 96, "neox", True, True),
    "mqa-normal-bias-untied": (64, 2, 4, 1, 128, "normal", True, False),
    "gqa-neox-nobias-tied": (96, 2, 6, 2, 160, "neox", False, True),
    "mqa-8q-1kv-mission": (128, 2, 8, 1, 160, "normal", False, False),
    "gqa-32q-4kv-mission": (128, 1, 32, 4, 192, "neox", False, False),
    "odd-hidden-36-mha": (36, 2, 6, 6, 52, "neox", True, False),
    "odd-hidden-40-gqa": (40, 3, 4, 2, 68, "normal", False, True),
}
QUANTIZABLE = [name for name, c in CONFIGS.items() if c[0] % 32 == 0 and c[4] % 32 == 0]
CASES = [(name, "F32") for name in CONFIGS] + [(name, t) for name in QUANTIZABLE[:4] for t in ("F16", "Q8_0")]

VOCABULARY = build_vocabulary(VOCAB)
largest_differences = {}


def make_model(name: str, seed: int) -> CromwellModel:
    hidden, layers, heads, kv, ffn, style, bias, tied = CONFIGS[name]
    config = ModelConfig(vocab_size=VOCAB, hidden_size=hidden, num_layers=layers, num_heads=heads,
                         num_kv_heads=kv, intermediate_size=ffn, max_position=512, rms_eps=1e-6,
                         rope_base=10000.0 if style == "normal" else 1e6, rope_style=style,
                         qkv_bias=bias, tie_embeddings=tied)
    # Weights large enough that logits spread out (a flat distribution would hide errors).
    return CromwellModel(config).init_random(std=0.6 / hidden ** 0.5, seed=seed).eval()


def run_engine(path: str, sequences, all_positions=True):
    if not os.path.exists(JAR):
        pytest.fail(f"{JAR} is missing: build it first (bin/build, or bin/test which builds it)")
    command = [CROMWELL, "logits", "--model", path, "--greedy", str(GREEDY), "--threads", "2", "--json"]
    if all_positions:
        command.append("--all-positions")
    for s in sequences:
        command += ["--tokens", ",".join(map(str, s))]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"engine failed on {path}: {done.stderr}"
    return json.loads(done.stdout)["runs"]


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    if largest_differences:
        print("\nlargest |engine - reference| / max|logit| per configuration:")
        for key, value in sorted(largest_differences.items()):
            print(f"  {key:36s} {value:.2e}")


@pytest.mark.parametrize("name,tensor_type", CASES, ids=[f"{n}-{t}" for n, t in CASES])
def test_engine_matches_reference(tmp_path, name, tensor_type):
    torch.manual_seed(0)
    model = make_model(name, seed=len(name))
    path = export(model, VOCABULARY, str(tmp_path / f"{name}-{tensor_type}.gguf"), tensor_type)
    reference = (model if tensor_type == "F32" else load(path)).double()

    rng = np.random.default_rng(7)
    sequences = [rng.integers(0, VOCAB, size=n).tolist() for n in LENGTHS]
    runs = run_engine(path, sequences)

    worst = 0.0
    with torch.no_grad():
        for sequence, run in zip(sequences, runs):
            expected = reference(torch.tensor([sequence]))[0].numpy()
            actual = np.asarray(run["logits"], dtype=np.float64)
            assert actual.shape == expected.shape, f"{name} {tensor_type}: shape {actual.shape} vs {expected.shape}"
            for position in range(len(sequence)):
                scale = np.abs(expected[position]).max()
                diff = np.abs(actual[position] - expected[position])
                worst = max(worst, diff.max() / scale)
                at = int(diff.argmax())
                assert diff.max() <= TOLERANCE * scale, (
                    f"{name} {tensor_type}, sequence of {len(sequence)}, position {position}: logit {at} "
                    f"engine {actual[position, at]:.6f} reference {expected[position, at]:.6f} "
                    f"(difference {diff.max():.3e} > {TOLERANCE} x {scale:.3f})")
                top2 = np.sort(expected[position])[-2:]
                if top2[1] - top2[0] > 2 * TOLERANCE * scale:  # not a near tie
                    assert int(actual[position].argmax()) == int(expected[position].argmax()), (
                        f"{name} {tensor_type}: greedy choice differs at position {position} of {len(sequence)}")

        # The long sequence again as one prompt: batched prefill must give the same last logits.
        batched = np.asarray(run_engine(path, [sequences[2]], all_positions=False)[0]["logits"][0], dtype=np.float64)
        expected_last = reference(torch.tensor([sequences[2]]))[0, -1].numpy()
        scale = np.abs(expected_last).max()
        assert np.abs(batched - expected_last).max() <= TOLERANCE * scale, (
            f"{name} {tensor_type}: batched prefill of {len(sequences[2])} tokens differs by "
            f"{np.abs(batched - expected_last).max():.3e}")

        prompt = sequences[1]
        expected_greedy = reference.generate_greedy(prompt, GREEDY)
        assert runs[1]["greedy"] == expected_greedy, (
            f"{name} {tensor_type}: 32 greedy tokens differ\n engine    {runs[1]['greedy']}\n reference {expected_greedy}")
    largest_differences[f"{name}-{tensor_type}"] = worst


def test_kv_cache_generation_equals_full_forward():
    model = make_model("gqa-neox-tied-bias", seed=3).double()
    prompt = [5, 17, 200, 3]
    tokens = model.generate_greedy(prompt, 12)
    with torch.no_grad():
        sequence = list(prompt)
        for expected in tokens:
            logits = model(torch.tensor([sequence]))[0, -1]
            assert int(logits.argmax()) == expected
            sequence.append(expected)


def test_round_trip_through_gguf_keeps_the_function(tmp_path):
    for name in ("mqa-normal-bias-untied", "gqa-neox-nobias-tied"):
        model = make_model(name, seed=1)
        path = export(model, VOCABULARY, str(tmp_path / f"{name}.gguf"), "F32")
        loaded = load(path)
        tokens = torch.tensor([[1, 2, 3, 4, 5, 6]])
        with torch.no_grad():
            assert torch.allclose(model(tokens), loaded(tokens), atol=1e-5), name
