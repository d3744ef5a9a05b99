#!/usr/bin/env python3
"""Ghost text while an edit is computed in the editor server (`cromwell lsp`).

Starts `CHECKOUT/bin/cromwell lsp` as an editor does (its own server: CROMWELL_DAEMON=off), loads
the model, opens a ~40-line Python function with a bug and a second file, and per round: runs
"fix the bug" on the function alone (its time), and again on a fresh copy while typing in the
second file: a new two-argument function's header and `return `, an inline completion request
(its suggestion then typed, as if accepted) and 200 ms, until the edit returns (a new function
each time, so that every suggestion needs the model). The edit alone
comes first in odd rounds and second in even ones (a server's first edit warms the path for its
second). Prints per round the edit's seconds alone and beside the typing, and the suggestions'
latency during the edit (how many, how many empty, median, slowest). Rounds alternate between
the checkouts so that both see the same stretch of machine load. Needs python3 only.

  benchmarks/lsp-typing-during-edit.py [--base OTHER_CHECKOUT] [--rounds N] [--model NAME]
(after bin/build in each checkout)."""
import argparse
import os
import queue
import statistics
import subprocess
import sys
import threading
import time

here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
sys.path.insert(0, os.path.join(here, "bin", "lib"))
from lsp_client import LspClient, LspError  # noqa: E402 (the project's own LSP client)
ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("--base", help="another built checkout to alternate with this one")
ap.add_argument("--rounds", type=int, default=1)
ap.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
args = ap.parse_args()


def start_server(checkout):
    env = dict(os.environ, CROMWELL_DAEMON="off")
    return LspClient([f"{checkout}/bin/cromwell", "lsp"], env=env, stderr=subprocess.DEVNULL)


def in_background(call):
    """Runs call() on a thread: a queue that gets its result, or the error it raised."""
    box = queue.Queue()

    def run():
        try:
            box.put(call())
        except LspError as e:
            box.put(e)

    threading.Thread(target=run, daemon=True).start()
    return box


NAMES = ["add", "subtract", "multiply", "divide", "power", "modulo", "maximum", "minimum", "average",
         "hypotenuse", "distance"]


def buggy_function(variant):
    # A long function whose bug is one line; each variant's names differ, so no cache holds it.
    lines = [f"def table{variant}(rows):", '    """Totals of each named row."""', "    out = {}"]
    lines += [f"    out['row{i}'] = sum(r[{i}] for r in rows if r[{i}] is not None)" for i in range(36)]
    lines += ["    return len(out) + 1", ""]
    return "\n".join(lines)


def one_round(checkout, round_no):
    server = start_server(checkout)
    try:
        server.initialize({"model": args.model, "threads": 2, "debounceMs": 0})
        server.await_ready(timeout=300)
        typed_uri = "untitled:typing.py"
        typed = "import math\n"
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": typed_uri, "languageId": "python", "version": 1, "text": typed}})

        def edit(variant):
            """The edit, under way: a queue that gets its answer (or the error)."""
            uri = f"untitled:table{variant}.py"
            text = buggy_function(variant)
            server.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": text}})
            lines = text.count("\n")
            return in_background(lambda: server.request("workspace/executeCommand", {
                "command": "cromwell.edit", "arguments": [{
                    "uri": uri, "range": {"start": {"line": 0, "character": 0},
                                          "end": {"line": lines, "character": 0}},
                    "instruction": "fix the bug"}]}, timeout=900))

        def edit_alone():
            t0 = time.monotonic()
            answer = edit(f"{round_no}a").get(timeout=900)
            if isinstance(answer, LspError):
                print(f"  (the edit alone failed: {answer})")
            return time.monotonic() - t0

        # A suggestion first, so that both edits meet a warm completion path.
        server.inline_completion(typed_uri, 1, 0)
        # A server's first edit warms the edit path for its second: the order alternates.
        alone = edit_alone() if round_no % 2 == 0 else None
        t0 = time.monotonic()
        pending = edit(f"{round_no}b")
        latencies = []
        empty = 0
        version = 1
        while pending.empty():
            version += 1
            # A new function each time, so that no earlier suggestion covers what was typed
            # (typed-ahead text is answered without the model): every request needs the model. Its
            # suggestion is accepted (typed), as a user would, so that the file stays code.
            name = NAMES[(version - 2) % len(NAMES)] + str((version - 2) // len(NAMES) or "")
            typed += f"\n\n\ndef {name}(a, b):\n    return "
            server.notify("textDocument/didChange", {
                "textDocument": {"uri": typed_uri, "version": version},
                "contentChanges": [{"text": typed}]})
            asked = time.monotonic()
            suggestion = server.inline_completion(typed_uri, typed.count("\n"),
                                                  len(typed.split("\n")[-1]), timeout=900)
            # One answered after the edit ended counts too: it waited for it.
            latencies.append(time.monotonic() - asked)
            empty += not suggestion
            typed += suggestion
            time.sleep(0.2)
        answer = pending.get(timeout=900)
        beside = time.monotonic() - t0
        if isinstance(answer, LspError):
            print(f"  (the edit beside typing failed: {answer})")
        if alone is None:
            alone = edit_alone()
        return alone, beside, latencies, empty
    finally:
        server.close()


checkouts = [here] + ([os.path.realpath(args.base)] if args.base else [])
print(f"model {args.model}, 2 threads; suggestion latency while 'fix the bug' runs in another file")
print("| checkout | round | edit alone s | edit beside typing s | suggestions during it (empty) | median ms | slowest ms |")
print("|---|---|---|---|---|---|---|")
for round_no in range(args.rounds):
    for checkout in checkouts:
        alone, beside, lat, empty = one_round(checkout, round_no)
        ms = [x * 1000 for x in lat]
        print(f"| {os.path.basename(checkout)} | {round_no + 1} | {alone:.1f} | {beside:.1f} | {len(ms)} ({empty}) | "
              f"{statistics.median(ms) if ms else float('nan'):.0f} | {max(ms) if ms else float('nan'):.0f} |",
              flush=True)
