"""A Hugging Face `tokenizers` object rebuilt from a GGUF file's tokenizer.ggml.* metadata, so that
fine-tuning tokenizes text exactly as the engine will (tests compare ids with `cromwell tokenize`).

Byte-level BPE ("gpt2") only, with the pre-tokenizers of the families we fine-tune: smollm /
starcoder (digits alone, then GPT-2's expression), qwen2, gpt2 and Cromwell's own cromwell-code.
"""

from typing import Dict

from . import code_tokenizer
from .gguf import GGUFReader

QWEN2 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
         r"|\s*[\r\n]+|\s+(?!\S)|\s+")
CONTROL, USER_DEFINED = 3, 4


def _pre_tokenizer(name: str):
    from tokenizers import Regex, pre_tokenizers as pt
    byte_level = pt.ByteLevel(add_prefix_space=False, use_regex=False)
    if name in ("smollm", "starcoder", "refact"):
        return pt.Sequence([pt.Digits(individual_digits=True), pt.ByteLevel(add_prefix_space=False, use_regex=True)])
    if name == "qwen2":
        return pt.Sequence([pt.Split(Regex(QWEN2), behavior="isolated"), byte_level])
    if name in ("gpt2", "gpt-2"):
        return pt.ByteLevel(add_prefix_space=False, use_regex=True)
    if name == code_tokenizer.PRE_TOKENIZER:
        return pt.Sequence([pt.Split(Regex(code_tokenizer.SPLIT_PATTERN), behavior="isolated"), byte_level])
    raise ValueError(f"pre-tokenizer {name!r} is not supported for fine-tuning "
                     f"(smollm, starcoder, qwen2, gpt2, cromwell-code)")


def from_metadata(metadata: Dict[str, object], path: str = "model"):
    from tokenizers import AddedToken, Tokenizer, decoders, models
    if metadata.get("tokenizer.ggml.model") != "gpt2":
        raise ValueError(f"{path}: only byte-level BPE (tokenizer.ggml.model = gpt2) models can be fine-tuned here")
    tokens = metadata["tokenizer.ggml.tokens"]
    types = metadata.get("tokenizer.ggml.token_type", [1] * len(tokens))
    merges = [tuple(m.split(" ", 1)) for m in metadata["tokenizer.ggml.merges"]]
    tok = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges))
    tok.pre_tokenizer = _pre_tokenizer(str(metadata.get("tokenizer.ggml.pre", "gpt2")))
    tok.decoder = decoders.ByteLevel()
    specials = [AddedToken(t, special=True, normalized=False)
                for t, k in zip(tokens, types) if k in (CONTROL, USER_DEFINED)]
    tok.add_special_tokens(specials)
    return tok


def load(path: str):
    return from_metadata(GGUFReader(path).metadata, path)
