"""The code-aware tokenizer: its pre-tokenization rules, its GGUF metadata, and exact id parity
between `tokenizers` and the engine's Java tokenizer (`cromwell tokenize --ids`)."""

import os
import random
import subprocess

import pytest

import corpus
from cromwell_train import code_tokenizer
from cromwell_train.gguf import GGUFReader, GGUFWriter
from cromwell_train.nano import PARITY_CORPUS

CROMWELL = os.path.join(corpus.ROOT, "bin", "cromwell")
JAR = os.path.join(corpus.ROOT, "lsp-server", "target", "cromwell.jar")


def training_texts():
    rng = random.Random(3)
    texts = [corpus.python_file(rng) for _ in range(30)] + [corpus.java_file(rng, f"K{i}") for i in range(15)]
    texts += [corpus.js_file(rng) for _ in range(10)] + PARITY_CORPUS
    return texts


@pytest.fixture(scope="module")
def tok():
    return code_tokenizer.train_on_texts(training_texts(), 700)


@pytest.fixture(scope="module")
def vocab_gguf(tok, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("tok") / "vocab.gguf")
    w = GGUFWriter()
    w.add("general.architecture", "llama")
    for k, v in code_tokenizer.to_vocabulary(tok).gguf_metadata().items():
        w.add(k, v)
    w.write(path)
    return path


def test_pre_tokenization_is_code_aware(tok):
    pieces = [p for p, _ in tok.pre_tokenizer.pre_tokenize_str("    return x + 42;\n\t\t}")]
    assert pieces == ["ĠĠĠĠ", "return", "Ġx", "Ġ+", "Ġ", "4", "2", ";", "Ċ", "ĉĉ", "}"]
    for token in tok.get_vocab():
        if token in code_tokenizer.SPECIAL_TOKENS:
            continue
        assert "Ċ" not in token or token.strip("čĊ") == "", f"{token!r} spans a line break"
        assert sum(c.isdigit() for c in token) <= 1, f"{token!r} merges digits"
    assert any(set(t) == {"Ġ"} and len(t) >= 4 for t in tok.get_vocab()), "indentation runs are tokens"


def test_special_tokens_are_single_ids_and_file_markers_take_parameters(tok):
    for i, special in enumerate(code_tokenizer.SPECIAL_TOKENS):
        assert tok.token_to_id(special) == i
    ids = tok.encode("<FILE=src/a.py>\n<EDIT_START=src/a.py:3:7>fix<EDIT_END>").ids
    assert ids[0] == tok.token_to_id("<FILE=")
    assert tok.decode(ids, skip_special_tokens=False).startswith("<FILE=src/a.py>")
    assert tok.token_to_id("<EDIT_START=") in ids and tok.token_to_id("<EDIT_END>") == ids[-1]


def test_gguf_metadata(tok, vocab_gguf):
    m = GGUFReader(vocab_gguf).metadata
    assert m["tokenizer.ggml.model"] == "gpt2" and m["tokenizer.ggml.pre"] == "cromwell-code"
    assert len(m["tokenizer.ggml.tokens"]) == tok.get_vocab_size()
    assert m["tokenizer.ggml.token_type"][:len(code_tokenizer.SPECIAL_TOKENS)] == [3] * len(code_tokenizer.SPECIAL_TOKENS)
    assert m["tokenizer.ggml.eos_token_id"] == tok.token_to_id("<|endoftext|>")
    assert len(m["tokenizer.ggml.merges"]) > 300


def engine_ids(gguf: str, text: str, folder: str):
    if not os.path.exists(JAR):
        pytest.fail(f"{JAR} is missing: build it first (bin/build, or bin/test which builds it)")
    path = os.path.join(folder, "text.txt")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    done = subprocess.run([CROMWELL, "tokenize", "--ids", "--special", "-m", gguf, "-f", path],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [int(t) for t in done.stdout.split()]


def test_engine_gives_exactly_the_ids_of_tokenizers(tok, vocab_gguf, tmp_path):
    rng = random.Random(11)
    # Code in several languages, unicode, long whitespace and CRLF, specials, unseen text.
    texts = PARITY_CORPUS + [corpus.java_file(rng, "Unseen"), "\u00a0\u3000 ٣٤٥ x\u2028y \u0301e\u0300 \ufeffz\n",
                             " " * 300 + "\t \t\r\n\r\r\n" + "\n" * 7]
    # One engine call for all texts (a JVM start per text would be slow): join with a marker
    # that is a special token on both sides, so the pieces cannot interact.
    joined = "<|endoftext|>".join(texts)
    expected = tok.encode(joined, add_special_tokens=False).ids
    assert engine_ids(vocab_gguf, joined, str(tmp_path)) == expected
    assert len(expected) > 500
