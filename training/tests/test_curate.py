"""Curation on a fixture corpus: every planted problem is caught for the right reason, every
secret is scrubbed, and nothing else is dropped."""

import json
import os

import pytest

import corpus
from cromwell_train import cli, secrets
from cromwell_train.curate import NEAR_THRESHOLD, PERMUTATIONS, SHINGLE, curate, read_documents


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    planted = corpus.build(str(root))
    out = str(root / "out")
    manifest = curate(planted["inputs"], out, benchmark=corpus.HUMANEVAL, heldout=0.2, log=lambda m: None)
    return planted, out, manifest


def documents(out):
    return [d for split in ("train", "heldout") for d in read_documents(out, split)]


def test_each_planted_problem_is_dropped_for_its_reason_and_nothing_else(curated):
    planted, out, _ = curated
    with open(os.path.join(out, "dropped.jsonl")) as fh:
        dropped = {(d["repo"], d["path"]): d["reason"] for d in map(json.loads, fh)}
    assert dropped == planted["drops"]
    kept = {(d["repo"], d["path"]) for d in documents(out)}
    assert kept == planted["kept"]


def test_secrets_are_replaced_and_the_file_kept(curated):
    planted, out, manifest = curated
    doc = next(d for d in documents(out) if (d["repo"], d["path"]) == planted["secret_file"])
    for value in corpus.SECRETS.values():
        assert value not in doc["text"]
    for placeholder in ("<AWS_KEY>", "<TOKEN>", "<EMAIL>", "<SECRET>", "<PRIVATE_KEY>"):
        assert placeholder in doc["text"]
    assert manifest.secrets == {"aws_key": 1, "github_token": 1, "email": 1, "assigned_secret": 1, "private_key": 1}
    everything = "".join(d["text"] for d in documents(out))
    assert "AKIA" not in everything and "BEGIN RSA" not in everything


def test_records_carry_repository_licence_language_and_hash(curated):
    _, out, _ = curated
    by_key = {(d["repo"], d["path"]): d for d in documents(out)}
    assert by_key[("app", "src/mod_1.py")]["licence"] == "MIT"
    assert by_key[("app", "src/mod_1.py")]["language"] == "python"
    assert by_key[("app", "java/C0.java")]["language"] == "java"
    assert by_key[("app", "web/app.js")]["language"] == "javascript"
    assert by_key[("lib", "util.py")]["licence"] == "Apache-2.0"
    assert by_key[("lib", "Main.java")]["licence"] == "BSD-3-Clause"
    assert all(len(d["sha256"]) == 64 for d in by_key.values())


def test_manifest_counts_every_stage_and_reason(curated):
    planted, out, _ = curated
    with open(os.path.join(out, "manifest.json")) as fh:
        m = json.load(fh)
    total = len(planted["kept"]) + len(planted["drops"])
    assert m["stages"]["filter"]["in"] == total
    assert m["stages"]["exact_dedup"]["dropped"] == 1
    assert m["stages"]["near_dedup"]["dropped"] == 1
    assert m["stages"]["decontaminate"]["dropped"] == 1
    split = m["stages"]["split"]
    assert split["train"] + split["heldout"] == len(planted["kept"]) and split["heldout"] > 0
    assert m["dropped_by_reason"]["language"] == 2  # README.txt and LICENSE
    assert m["parameters"]["near_duplicates"] == {"method": "MinHash LSH (datasketch)", "threshold": NEAR_THRESHOLD,
                                                  "permutations": PERMUTATIONS, "shingle_tokens": SHINGLE}
    assert sum(s["documents"] for s in m["shards"]) == len(planted["kept"])


def test_email_pattern_leaves_code_alone():
    text, found = secrets.scrub("y = x@self.weight\n@Override\nmail guido@python.org.\n")
    assert text == "y = x@self.weight\n@Override\nmail <EMAIL>.\n" and found == {"email": 1}


def test_cli_names_a_missing_input_in_one_line(tmp_path, capsys):
    code = cli.main(["curate", "--out", str(tmp_path / "o"), str(tmp_path / "nope")])
    err = capsys.readouterr().err
    assert code == 2 and "nope: no such folder" in err and "Traceback" not in err


def test_zip_input_and_jdk_style_licence_header(tmp_path):
    import random
    import zipfile
    header = ("/*\n * Copyright (c) 2003, 2024, Oracle and/or its affiliates. All rights reserved.\n"
              " * This code is free software; you can redistribute it and/or modify it\n"
              " * under the terms of the GNU General Public License version 2 only, as\n"
              " * published by the Free Software Foundation.  Oracle designates this\n"
              " * particular file as subject to the \"Classpath\" exception as provided\n"
              " * by Oracle in the LICENSE file that accompanied this code.\n */\n")
    archive = tmp_path / "src.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("java.base/java/util/Thing.java", header + corpus.java_file(random.Random(1), "Thing"))
        z.writestr("java.desktop/java/awt/Other.java", header + corpus.java_file(random.Random(2), "Other"))
    out = str(tmp_path / "out")
    curate([str(archive)], out, include=["java.base/*"], benchmark=corpus.HUMANEVAL, heldout=0.0, log=lambda m: None)
    docs = list(read_documents(out, "train"))
    assert [(d["repo"], d["path"], d["licence"]) for d in docs] == [
        ("src", "java.base/java/util/Thing.java", "GPL-2.0-only WITH Classpath-exception-2.0")]
