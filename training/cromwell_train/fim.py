"""Fill-in-the-middle transform (Bavarian et al., 2022, "Efficient Training of Language Models to
Fill in the Middle"), applied to a document before tokenization.

With probability `rate` a document is cut at two character positions drawn uniformly (character
level, so a cut can fall inside a word, as in the paper) into prefix, middle and suffix, and
rearranged:

    PSM: <|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|> middle <|endoftext|>
    SPM: <|fim_prefix|> <|fim_suffix|> suffix <|fim_middle|> prefix middle <|endoftext|>

SPM is the paper's joint-training variant: prefix and middle stay contiguous after the sentinels.
`spm_rate` is the share of FIM documents in SPM order. Other documents stay left to right.
"""

import random
from dataclasses import dataclass
from typing import Callable, List


@dataclass(frozen=True)
class FimTokens:
    prefix: int
    suffix: int
    middle: int
    eos: int


def split_points(length: int, rng: random.Random):
    a, b = sorted((rng.randint(0, length), rng.randint(0, length)))
    return a, b


def transform(text: str, encode: Callable[[str], List[int]], ids: FimTokens, rng: random.Random,
              rate: float, spm_rate: float = 0.5) -> List[int]:
    """Token ids of one document, FIM-rearranged with probability `rate`, ending with EOS."""
    if rate <= 0 or rng.random() >= rate:
        return encode(text) + [ids.eos]
    a, b = split_points(len(text), rng)
    prefix, middle, suffix = encode(text[:a]), encode(text[a:b]), encode(text[b:])
    if rng.random() < spm_rate:
        return [ids.prefix, ids.suffix] + suffix + [ids.middle] + prefix + middle + [ids.eos]
    return [ids.prefix] + prefix + [ids.suffix] + suffix + [ids.middle] + middle + [ids.eos]
