"""Training data of one curriculum stage: a deterministic, resumable sequence of packed rows.

A stage's rows depend only on (curated data, tokenizer, stage, seed): documents are drawn from the
per-language pools by the stage's mixture weights (each pool shuffled, cycled when exhausted),
FIM-transformed at the stage's rate, tokenized, packed, and the packed rows shuffled. Row i is
always the same row, so the data position in a checkpoint is just the step number, and every rank
of a DDP run takes its own slice of each step's rows.

Why the rows are shuffled after packing: packed rows are consecutive pieces of one token stream,
so unshuffled, a step of 16 rows of 128 tokens covered one or two files. The nano run then swung
between a loss of 3.2 (a repetitive file) and 7.3 from one step to the next, and its held-out loss
rose from 6.9 to 7.6 during stage 1 while it fitted one file after another.
"""

import random
from typing import Dict, List

import numpy as np

from . import code_tokenizer, fim
from .curate import read_documents
from .curriculum import Stage
from .packing import evenly_spaced, pack


def documents_by_language(curated: str, split: str) -> Dict[str, List[str]]:
    pools: Dict[str, List[str]] = {}
    for doc in read_documents(curated, split):
        pools.setdefault(doc["language"], []).append(doc["text"])
    return pools


def fim_tokens(tok) -> fim.FimTokens:
    sid = lambda t: code_tokenizer.special_id(tok, t)
    return fim.FimTokens(sid(code_tokenizer.FIM_PREFIX), sid(code_tokenizer.FIM_SUFFIX),
                         sid(code_tokenizer.FIM_MIDDLE), sid(code_tokenizer.EOS))


def stage_rows(pools: Dict[str, List[str]], tok, stage: Stage, rows: int, seed: int) -> np.ndarray:
    """Exactly `rows` packed rows of stage.seq_len + 1 tokens."""
    languages = [lang for lang in sorted(stage.mixture) if stage.mixture[lang] > 0]
    missing = [lang for lang in languages if not pools.get(lang)]
    if missing:
        raise ValueError(f"stage {stage.name}: no training documents in {missing} (have {sorted(pools)})")
    rng = random.Random(f"{seed}/{stage.name}")
    order = {lang: rng.sample(range(len(pools[lang])), len(pools[lang])) for lang in languages}
    cursor = {lang: 0 for lang in languages}
    weights = [stage.mixture[lang] for lang in languages]
    ids = fim_tokens(tok)
    encode = lambda text: tok.encode(text, add_special_tokens=False).ids

    def documents():
        while True:
            lang = rng.choices(languages, weights)[0]
            pool = order[lang]
            text = pools[lang][pool[cursor[lang] % len(pool)]]
            cursor[lang] += 1
            yield fim.transform(text, encode, ids, rng, stage.fim_rate, stage.spm_rate)

    packed, _ = pack(documents(), stage.seq_len, max_rows=rows)
    order = np.random.default_rng(rng.getrandbits(64)).permutation(len(packed))
    return packed[order]


def heldout_rows(curated: str, tok, seq_len: int, rows: int) -> np.ndarray:
    """The evaluation set (same for every stage): held-out files, left to right, packed, and `rows`
    rows taken evenly across all of them, so that a small periodic evaluation is not the first
    file or two."""
    eos = code_tokenizer.special_id(tok, code_tokenizer.EOS)
    docs = [d["text"] for d in read_documents(curated, "heldout")]
    if not docs:
        raise ValueError(f"{curated}: the held-out split is empty (curate with a larger --heldout)")
    encoded = (e.ids + [eos] for e in tok.encode_batch(docs, add_special_tokens=False))
    return evenly_spaced(pack(encoded, seq_len)[0], rows)
