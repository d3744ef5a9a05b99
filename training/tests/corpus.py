"""A small fixture corpus for the pipeline's tests: distinct source files in several languages,
plus planted problems (duplicates, near-duplicates, secrets, a HumanEval leak, and one file for
each filter). `expected_drops` says exactly what curation must drop and why."""

import gzip
import json
import os
import random
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HUMANEVAL = os.path.normpath(os.path.join(ROOT, "..", "shared", "testdata", "humaneval", "HumanEval.jsonl.gz"))

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
         "quebec romeo sierra tango uniform victor whiskey xray yankee zulu amber basil cedar dune ember fern "
         "grove heron iris jade kelp lotus maple nectar olive pearl quartz raven sage thyme umber violet willow").split()

MIT = ("MIT License\n\nCopyright (c) 2024 Example\n\nPermission is hereby granted, free of charge, to any person "
       "obtaining a copy of this software and associated documentation files, to deal in the Software.\n")

SECRETS = {
    "aws": "AKIAIOSFODNN7EXAMPLQ",
    "github": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "email": "jane.doe@example.com",
    "password": "Sup3rS3cretPassw0rd!",
    "pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq98xY2\nAbCdEfGh1234567890==\n-----END RSA PRIVATE KEY-----",
}


def python_file(rng: random.Random, functions: int = 6) -> str:
    lines = [f"import {rng.choice(['os', 'sys', 'json', 're', 'math'])}\n\n"]
    for _ in range(functions):
        name = "_".join(rng.sample(WORDS, 2))
        args = ", ".join(rng.sample(WORDS, 2))
        body = rng.sample(WORDS, 4)
        lines.append(f"def {name}({args}):\n    \"\"\"Combine {body[0]} with {body[1]}.\"\"\"\n"
                     f"    {body[2]} = {args.split(', ')[0]} * {rng.randint(2, 999)} + {args.split(', ')[1]}\n"
                     f"    if {body[2]} > {rng.randint(10, 99)}:\n        return {body[2]} - {body[3]!r}.count('a')\n"
                     f"    return {body[2]}\n\n\n")
    return "".join(lines)


def java_file(rng: random.Random, name: str) -> str:
    methods = []
    for _ in range(5):
        m = rng.choice(WORDS) + rng.choice(WORDS).capitalize()
        a, b = rng.sample(WORDS, 2)
        methods.append(f"    public int {m}(int {a}, int {b}) {{\n        int result = {a} * {rng.randint(2, 99)};\n"
                       f"        for (int i = 0; i < {b}; i++) {{\n            result += i % {rng.randint(2, 9)};\n"
                       f"        }}\n        return result;\n    }}\n\n")
    return f"package org.{rng.choice(WORDS)};\n\npublic final class {name} {{\n" + "".join(methods) + "}\n"


def js_file(rng: random.Random) -> str:
    fns = []
    for _ in range(5):
        n, a = rng.sample(WORDS, 2)
        fns.append(f"export function {n}({a}) {{\n  const out = [];\n  for (const x of {a}) {{\n"
                   f"    if (x > {rng.randint(1, 50)}) out.push(x * {rng.randint(2, 9)});\n  }}\n  return out;\n}}\n\n")
    return "".join(fns)


def humaneval_leak() -> str:
    with gzip.open(HUMANEVAL, "rt", encoding="utf-8") as fh:
        problem = json.loads(fh.readline())
    return "# copied from somewhere\n" + problem["prompt"] + problem["canonical_solution"] + "\n\nprint('done')\n"


def write(root: str, rel: str, data) -> None:
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def build(root: str, unique: int = 12, git: bool = True) -> dict:
    """Writes repo `app` (a git work tree with an MIT LICENSE) and folder `lib` (SPDX headers).

    Returns {"kept": set of (repo, path), "drops": {(repo, path): reason}, "secret_file": (repo, path)}.
    """
    rng = random.Random(7)
    app, lib = os.path.join(root, "app"), os.path.join(root, "lib")
    kept, drops = set(), {}
    write(app, "LICENSE", MIT)
    drops[("app", "LICENSE")] = "language"  # licence text is read for the licence, not trained on
    for i in range(unique):
        write(app, f"src/mod_{i}.py", python_file(rng))
        kept.add(("app", f"src/mod_{i}.py"))
    for i in range(4):
        write(app, f"java/C{i}.java", java_file(rng, f"C{i}"))
        kept.add(("app", f"java/C{i}.java"))
    write(app, "web/app.js", js_file(rng))
    kept.add(("app", "web/app.js"))

    # Planted: an exact copy, a near-duplicate (one function renamed of a long file), a leak.
    original = python_file(random.Random(99), functions=30)
    write(app, "src/big.py", original)
    kept.add(("app", "src/big.py"))
    write(app, "src/mod_0_copy.py", open(os.path.join(app, "src/mod_0.py")).read())
    drops[("app", "src/mod_0_copy.py")] = "exact_duplicate"  # the first in input order stays
    lines = original.splitlines(keepends=True)
    assert lines[2].startswith("def ")
    lines[2] = lines[2].replace("def ", "def renamed_")
    write(app, "src/big_edited.py", "".join(lines))
    drops[("app", "src/big_edited.py")] = "near_duplicate"
    write(app, "src/solution.py", humaneval_leak())
    drops[("app", "src/solution.py")] = "benchmark_leak"

    # Planted: secrets (kept, scrubbed).
    secret = (f"AWS_KEY = \"{SECRETS['aws']}\"\nGITHUB = '{SECRETS['github']}'\n# maintainer: {SECRETS['email']}\n"
              f"password = \"{SECRETS['password']}\"\nKEY = \"\"\"{SECRETS['pem']}\"\"\"\n\n" + python_file(rng))
    write(app, "src/settings.py", secret)
    kept.add(("app", "src/settings.py"))

    # Planted: one file per filter.
    write(app, "src/blob.py", b"\x00\x01\x02binary" * 20)
    drops[("app", "src/blob.py")] = "binary"
    write(app, "src/latin.py", ("# caf\xe9\n" + python_file(rng)).encode("latin-1"))
    drops[("app", "src/latin.py")] = "encoding"
    write(app, "web/app.min.js", "function a(b){return b*2}" * 40)
    drops[("app", "web/app.min.js")] = "minified"
    write(app, "src/gen_pb2.py", "# Generated by the protocol buffer compiler.  DO NOT EDIT!\n" + python_file(rng))
    drops[("app", "src/gen_pb2.py")] = "generated"
    write(app, "vendor/lib.js", js_file(rng))
    drops[("app", "vendor/lib.js")] = "vendored"
    write(app, "src/table.py", "DATA = [" + ", ".join(str(i) for i in range(600)) + "]\n" + python_file(rng))
    drops[("app", "src/table.py")] = "long_lines"
    write(app, "src/art.py", "#" * 60 + "\n" + ("# ==== ---- ==== ---- ==== ----\n" * 30) + "x = 1\n")
    drops[("app", "src/art.py")] = "low_alnum"
    write(app, "src/empty.py", "\n\n")
    drops[("app", "src/empty.py")] = "too_small"
    write(app, "README.txt", "notes about the project\n" * 5)
    drops[("app", "README.txt")] = "language"
    if git:
        subprocess.run(["git", "init", "-q", app], check=True)
        subprocess.run(["git", "-C", app, "add", "-A"], check=True)

    write(lib, "util.py", "# SPDX-License-Identifier: Apache-2.0\n" + python_file(rng))
    kept.add(("lib", "util.py"))
    write(lib, "Main.java", "/* SPDX-License-Identifier: BSD-3-Clause */\n" + java_file(rng, "Main"))
    kept.add(("lib", "Main.java"))
    return {"kept": kept, "drops": drops, "secret_file": ("app", "src/settings.py"), "inputs": [app, lib]}
