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
import json
import os
import queue
import statistics
import subprocess
import threading
import time

here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("--base", help="another built checkout to alternate with this one")
ap.add_argument("--rounds", type=int, default=1)
ap.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
args = ap.parse_args()


class Server:
    """An LSP server over stdio: requests by id, the server's own requests answered."""

    def __init__(self, checkout):
        env = dict(os.environ, CROMWELL_DAEMON="off")
        self.proc = subprocess.Popen([f"{checkout}/bin/cromwell", "lsp"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.next_id = 0
        self.waiting = {}
        self.lock = threading.Lock()
        threading.Thread(target=self.read, daemon=True).start()

    def send(self, message):
        body = json.dumps(message).encode()
        with self.lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    for box in list(self.waiting.values()):
                        box.put({"error": {"message": "the server exited"}})
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length is None:
                raise SystemExit("the server sent a message without Content-Length")
            message = json.loads(out.read(length))
            if "method" in message and "id" in message:
                # window/workDoneProgress/create and the like: say yes. (This client declares no
                # applyEdit capability, so an edit's answer is its result, not a request.)
                result = None
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            elif "id" in message and message["id"] in self.waiting:
                self.waiting.pop(message["id"]).put(message)

    def request(self, method, params):
        """A queue that gets the answer."""
        with self.lock:
            self.next_id += 1
            rid = self.next_id
        box = queue.Queue()
        self.waiting[rid] = box
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return box

    def call(self, method, params, timeout=900):
        answer = self.request(method, params).get(timeout=timeout)
        if "error" in answer:
            raise SystemExit(f"{method}: {answer['error'].get('message')}")
        return answer.get("result")

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def close(self):
        try:
            self.call("shutdown", None, timeout=30)
            self.notify("exit", None)
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()


NAMES = ["add", "subtract", "multiply", "divide", "power", "modulo", "maximum", "minimum", "average",
         "hypotenuse", "distance"]


def buggy_function(variant):
    # A long function whose bug is one line; each variant's names differ, so no cache holds it.
    lines = [f"def table{variant}(rows):", '    """Totals of each named row."""', "    out = {}"]
    lines += [f"    out['row{i}'] = sum(r[{i}] for r in rows if r[{i}] is not None)" for i in range(36)]
    lines += ["    return len(out) + 1", ""]
    return "\n".join(lines)


def one_round(checkout, round_no):
    server = Server(checkout)
    try:
        server.call("initialize", {"processId": None, "rootUri": None, "capabilities": {},
                                   "initializationOptions": {"model": args.model, "threads": 2,
                                                             "debounceMs": 0}}, timeout=120)
        server.notify("initialized", {})
        for _ in range(1200):
            state = server.call("cromwell/status", [])["modelState"]
            if state == "ready":
                break
            if state.startswith("failed"):
                raise SystemExit(f"{checkout}: the model failed to load: {state}")
            time.sleep(0.1)
        else:
            raise SystemExit(f"{checkout}: the model was not ready after 2 minutes ({state})")
        typed_uri = "untitled:typing.py"
        typed = "import math\n"
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": typed_uri, "languageId": "python", "version": 1, "text": typed}})

        def edit(variant):
            uri = f"untitled:table{variant}.py"
            text = buggy_function(variant)
            server.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": text}})
            lines = text.count("\n")
            return server.request("workspace/executeCommand", {"command": "cromwell.edit", "arguments": [{
                "uri": uri, "range": {"start": {"line": 0, "character": 0},
                                      "end": {"line": lines, "character": 0}},
                "instruction": "fix the bug"}]})

        # A suggestion first, so that both edits meet a warm completion path.
        server.call("textDocument/inlineCompletion", {"textDocument": {"uri": typed_uri},
                    "position": {"line": 1, "character": 0}, "context": {"triggerKind": 2}})
        def edit_alone():
            t0 = time.monotonic()
            answer = edit(f"{round_no}a").get(timeout=900)
            if "error" in answer:
                print(f"  (the edit alone failed: {answer['error'].get('message')})")
            return time.monotonic() - t0

        # A server's first edit warms the edit path for its second: the order alternates.
        alone = edit_alone() if round_no % 2 == 0 else None
        t0 = time.monotonic()
        pending = edit(f"{round_no}b")
        latencies = []
        empty = 0
        version = 1
        while pending.empty():
            version += 1
            # A new function each time, so that no earlier suggestion covers what was typed (typed-ahead
            # text is answered without the model): every request needs the model. Its suggestion is
            # accepted (typed), as a user would, so that the file stays code.
            name = NAMES[(version - 2) % len(NAMES)] + str((version - 2) // len(NAMES) or "")
            typed += f"\n\n\ndef {name}(a, b):\n    return "
            server.notify("textDocument/didChange", {
                "textDocument": {"uri": typed_uri, "version": version}, "contentChanges": [{"text": typed}]})
            line = typed.count("\n")
            column = len(typed.split("\n")[-1])
            asked = time.monotonic()
            result = server.call("textDocument/inlineCompletion", {"textDocument": {"uri": typed_uri},
                                 "position": {"line": line, "character": column},
                                 "context": {"triggerKind": 2}})
            # One answered after the edit ended counts too: it waited for it.
            latencies.append(time.monotonic() - asked)
            items = result.get("items", []) if isinstance(result, dict) else (result or [])
            empty += not items
            if items:
                typed += items[0]["insertText"]
            time.sleep(0.2)
        answer = pending.get(timeout=900)
        beside = time.monotonic() - t0
        if "error" in answer:
            print(f"  (the edit beside typing failed: {answer['error'].get('message')})")
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
