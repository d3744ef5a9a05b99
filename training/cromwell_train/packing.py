"""Packing documents into fixed-length training sequences.

Documents (each ending with <|endoftext|>) are concatenated into one stream and cut into rows of
`seq_len + 1` tokens that overlap by one, so every token is a target exactly once: inputs are
row[:-1], targets row[1:]. Document boundaries are the <|endoftext|> tokens inside rows (and
`boundaries` lists where each document starts), as in GPT and Llama pre-training; the last
partial row is dropped.
"""

from typing import Iterable, List, Tuple

import numpy as np


def pack(documents: Iterable[List[int]], seq_len: int, max_rows: int = None) -> Tuple[np.ndarray, List[int]]:
    """(rows [n, seq_len + 1] int32, start offset of each document in the stream)."""
    stream: List[int] = []
    boundaries: List[int] = []
    limit = None if max_rows is None else max_rows * seq_len + 1
    for doc in documents:
        boundaries.append(len(stream))
        stream.extend(doc)
        if limit is not None and len(stream) >= limit:
            break
    rows = (len(stream) - 1) // seq_len
    if max_rows is not None:
        rows = min(rows, max_rows)
    data = np.asarray(stream[: rows * seq_len + 1], dtype=np.int32)
    index = np.arange(rows)[:, None] * seq_len + np.arange(seq_len + 1)[None, :]
    return (data[index] if rows else np.zeros((0, seq_len + 1), dtype=np.int32)), boundaries


def evenly_spaced(rows: np.ndarray, n: int) -> np.ndarray:
    """`n` of `rows` spread evenly from first to last (all of them if there are no more than `n`):
    a small evaluation set that samples every file instead of the first one or two."""
    if len(rows) <= n:
        return rows
    return rows[np.linspace(0, len(rows) - 1, n).round().astype(np.int64)]
