"""FIM transform, packing and the curriculum config."""

import os
import random

import numpy as np
import pytest

import corpus
from cromwell_train import fim
from cromwell_train.curriculum import load_config
from cromwell_train.packing import pack

IDS = fim.FimTokens(prefix=-1, suffix=-2, middle=-3, eos=-4)
chars = lambda s: [ord(c) for c in s]  # a character-level "tokenizer" makes every split visible


def undo(ids):
    """The original text of a PSM or SPM document."""
    assert ids[-1] == IDS.eos
    body = ids[:-1]
    if body[:2] == [IDS.prefix, IDS.suffix]:  # SPM: suffix, then prefix+middle
        m = body.index(IDS.middle)
        return "".join(map(chr, body[m + 1:] + body[2:m])), "spm"
    if body and body[0] == IDS.prefix:
        s, m = body.index(IDS.suffix), body.index(IDS.middle)
        return "".join(map(chr, body[1:s] + body[m + 1:] + body[s + 1:m])), "psm"
    return "".join(map(chr, body)), "plain"


def test_fim_rate_modes_and_character_level_splits():
    rng = random.Random(0)
    text = "def add(a, b):\n    return a + b\n"
    modes, cut_inside_word = [], 0
    for _ in range(4000):
        ids = fim.transform(text, chars, IDS, rng, rate=0.5, spm_rate=0.5)
        restored, mode = undo(ids)
        assert restored == text
        modes.append(mode)
        if mode == "psm":
            prefix = "".join(map(chr, ids[1:ids.index(IDS.suffix)]))
            cut_inside_word += bool(prefix) and prefix[-1].isalpha() and text[len(prefix)].isalpha()
    fim_share = 1 - modes.count("plain") / len(modes)
    assert 0.46 < fim_share < 0.54
    assert 0.44 < modes.count("spm") / (len(modes) - modes.count("plain")) < 0.56
    assert cut_inside_word > 50, "split points are characters, not token or line boundaries"
    assert fim.transform(text, chars, IDS, rng, rate=0.0) == chars(text) + [IDS.eos]


def test_packing_keeps_every_token_once_with_boundaries():
    docs = [[1, 2, 3, 9], [4, 5, 9], [6, 7, 8, 10, 11, 9]]
    rows, starts = pack(iter(docs), seq_len=4)
    stream = [t for d in docs for t in d]
    assert rows.shape == (3, 5)
    assert starts == [0, 4, 7]
    targets = rows[:, 1:].reshape(-1).tolist()
    assert targets == stream[1:13]
    assert all(rows[i, -1] == rows[i + 1, 0] for i in range(len(rows) - 1))
    assert pack(iter(docs), seq_len=4, max_rows=2)[0].shape == (2, 5)


def test_nano_curriculum_has_four_stages_with_everything_a_stage_needs():
    c = load_config(os.path.join(corpus.ROOT, "training", "configs", "nano.toml"))
    assert len(c.stages) == 4
    for s in c.stages:
        assert s.mixture and s.seq_len > 0 and 0 <= s.fim_rate <= 1 and s.tokens > 0 and s.lr_peak >= s.lr_end
    assert [s.seq_len for s in c.stages] == sorted(s.seq_len for s in c.stages)
    first = c.stages[0]
    assert first.lr(0, 100) == pytest.approx(first.lr_peak / first.warmup_steps)
    assert first.lr(first.warmup_steps, 100) == pytest.approx(first.lr_peak)
    assert first.lr(99, 100) == pytest.approx(first.lr_end, rel=0.01)


def test_bad_config_says_which_file_and_what(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[model]\n[data]\ncurated="d"\ntokenizer="t"\n[[stage]]\nname="x"\nseq_len=8\n')
    with pytest.raises(ValueError, match="bad.toml.*stage"):
        load_config(str(path))


def test_a_steps_rows_come_from_all_over_the_stage_not_one_file():
    """Packed rows are consecutive pieces of one stream; unshuffled, a step covered one or two
    files and the loss swung from file to file. The rows are shuffled, deterministically."""
    from cromwell_train import code_tokenizer
    from cromwell_train.curriculum import Stage
    from cromwell_train.data import stage_rows

    texts = [f"def f{i}(x):\n    y = x * {i}\n    return y + {i * 7}\n" for i in range(300)]
    tok = code_tokenizer.train_on_texts(texts, 300)
    stage = Stage(name="s", mixture={"python": 1.0}, seq_len=16, fim_rate=0.0, tokens=4096,
                  lr_peak=1e-3, lr_end=1e-4)
    rows = stage_rows({"python": texts}, tok, stage, 64, seed=1)
    assert rows.shape == (64, 17)
    contiguous = sum(rows[i, -1] == rows[i + 1, 0] for i in range(len(rows) - 1))
    assert contiguous < len(rows) // 2, f"{contiguous} of {len(rows) - 1} neighbouring rows continue each other"
    assert np.array_equal(rows, stage_rows({"python": texts}, tok, stage, 64, seed=1)), "same seed, same rows"
