"""Cromwell's code-aware byte-level BPE, trained with Hugging Face `tokenizers`.

Pre-tokenization (GGUF `tokenizer.ggml.pre = "cromwell-code"`, the engine's
`PreTokenizer.CROMWELL_CODE` runs the same expression) splits text into pieces that BPE never
merges across:

    \\p{N}                       every digit alone (numbers are spelled digit by digit)
    | ?\\p{L}+                   a word, with at most one leading space
    | ?[^\\r\\n\\p{L}\\p{N} \\t]+  a run of punctuation/symbols, with at most one leading space
    |\\r?\\n                      a line break alone: no token spans two lines
    |[ \\t]+                     a run of spaces/tabs: indentation is its own token(s)

The expression avoids `\\s` and look-ahead on purpose: Oniguruma (in `tokenizers`) and
java.util.regex agree on explicit classes and Unicode categories, which is what parity needs.

Special tokens (ids 0..10, control tokens in GGUF):
    <|endoftext|>                            end of a document (also EOS)
    <|fim_prefix|> <|fim_suffix|> <|fim_middle|> <|fim_pad|>   fill-in-the-middle
    <FILE=  path  >  ...  </FILE>            a file: `<FILE=` then the path as ordinary tokens,
                                             then `>` and a newline; `</FILE>` closes it
    <EDIT_START=  path:l1:l2  >  instruction  <EDIT_END>
                                             an edit of lines l1..l2 of path (ordinary tokens
                                             for the parameters, so any path and number fit)
    <DELETE_START>                           marks a region the edit removes
The parameters are ordinary text between the opening special token and `>`, so the vocabulary
stays small and any path or line number can be written.
"""

import json
import os
from typing import Iterable, List, Optional

from .vocab import CONTROL, NORMAL, Vocabulary

PRE_TOKENIZER = "cromwell-code"
SPLIT_PATTERN = r"\p{N}| ?\p{L}+| ?[^\r\n\p{L}\p{N} \t]+|\r?\n|[ \t]+"
EOS = "<|endoftext|>"
FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE, FIM_PAD = "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>"
SPECIAL_TOKENS = [EOS, FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE, FIM_PAD,
                  "<FILE=", "</FILE>", "<EDIT_START=", "<EDIT_END>", "<DELETE_START>"]


def new_tokenizer():
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(SPLIT_PATTERN), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    return tok


def train_on_texts(texts: Iterable[str], vocab_size: int):
    from tokenizers import pre_tokenizers, trainers
    tok = new_tokenizer()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                                  special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def train_tokenizer(data: str, vocab_size: int, out: str, max_documents: Optional[int] = None):
    """Trains on the train split of a curated folder and writes tokenizer.json atomically."""
    from .curate import read_documents

    def texts():
        for i, doc in enumerate(read_documents(data, "train")):
            if max_documents is not None and i >= max_documents:
                return
            yield doc["text"]
    tok = train_on_texts(texts(), vocab_size)
    save(tok, out)
    return tok


def save(tok, path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    tok.save(tmp)
    os.replace(tmp, path)


def load(path: str):
    from tokenizers import Tokenizer
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no tokenizer; train one with `cromwell-train tokenizer`")
    return Tokenizer.from_file(path)


def to_vocabulary(tok) -> Vocabulary:
    """The tokenizer as GGUF metadata (tokens by id, token types, merges as "a b")."""
    spec = json.loads(tok.to_str())
    vocab = spec["model"]["vocab"]
    tokens: List[Optional[str]] = [None] * len(vocab)
    for text, i in vocab.items():
        tokens[i] = text
    for added in spec.get("added_tokens", []):
        if added["id"] >= len(tokens):
            tokens.extend([None] * (added["id"] + 1 - len(tokens)))
        tokens[added["id"]] = added["content"]
    if any(t is None for t in tokens):
        raise ValueError("tokenizer ids are not contiguous")
    merges = [m if isinstance(m, str) else f"{m[0]} {m[1]}" for m in spec["model"]["merges"]]
    types = [CONTROL if t in SPECIAL_TOKENS else NORMAL for t in tokens]
    return Vocabulary(tokens, types, merges, eos_id=tokens.index(EOS), pre=PRE_TOKENIZER)


def special_id(tok, text: str) -> int:
    i = tok.token_to_id(text)
    if i is None:
        raise ValueError(f"the tokenizer has no {text} token; train it with cromwell_train.code_tokenizer")
    return i
