"""A small byte-level BPE vocabulary for tests and tiny models.

256 byte tokens (GPT-2's byte-to-character mapping), merges learned greedily from a corpus, and a
few control tokens. Written as GGUF tokenizer metadata with pre-tokenizer "qwen2".
"""

from collections import Counter
from dataclasses import dataclass
from typing import Dict, List

NORMAL, CONTROL = 1, 3


def bytes_to_unicode() -> Dict[int, str]:
    printable = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    mapping, extra = {}, 0
    for b in range(256):
        if b in printable:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(256 + extra)
            extra += 1
    return mapping


@dataclass
class Vocabulary:
    tokens: List[str]
    token_types: List[int]
    merges: List[str]
    eos_id: int
    pre: str = "qwen2"

    def gguf_metadata(self) -> Dict[str, object]:
        return {
            "tokenizer.ggml.model": "gpt2",
            "tokenizer.ggml.pre": self.pre,
            "tokenizer.ggml.tokens": self.tokens,
            "tokenizer.ggml.token_type": self.token_types,
            "tokenizer.ggml.merges": self.merges,
            "tokenizer.ggml.bos_token_id": self.eos_id,
            "tokenizer.ggml.eos_token_id": self.eos_id,
            "tokenizer.ggml.add_bos_token": False,
        }


DEFAULT_CORPUS = (
    "def main():\n    return 0\n\nfor i in range(10):\n    print(i)\n"
    "class Node:\n    def __init__(self, value):\n        self.value = value\n"
    "int main(void) { return 0; }\n"
)


def build_vocabulary(size: int, corpus: str = DEFAULT_CORPUS,
                     specials=("<|endoftext|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>")) -> Vocabulary:
    """Exactly `size` tokens: bytes, merges of frequent adjacent pairs, specials (padding if short)."""
    table = bytes_to_unicode()
    tokens = [table[b] for b in range(256)]
    merges: List[str] = []
    known = set(tokens)
    words = [[table[b] for b in word.encode("utf-8")] for word in corpus.replace("\n", " ").split(" ") if word]
    target = size - len(specials)
    while len(tokens) < target:
        pairs = Counter()
        for w in words:
            pairs.update(zip(w, w[1:]))
        if not pairs:
            break
        (a, b), _ = pairs.most_common(1)[0]
        merges.append(f"{a} {b}")
        if a + b not in known:
            known.add(a + b)
            tokens.append(a + b)
        for w in words:
            i = 0
            while i < len(w) - 1:
                if w[i] == a and w[i + 1] == b:
                    w[i:i + 2] = [a + b]
                i += 1
    while len(tokens) < target:
        tokens.append(f"<unused{len(tokens)}>")
    types = [NORMAL] * len(tokens)
    for s in specials:
        tokens.append(s)
        types.append(CONTROL)
    return Vocabulary(tokens, types, merges, eos_id=target)
