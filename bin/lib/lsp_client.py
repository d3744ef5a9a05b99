"""A minimal LSP client over a server process's stdin/stdout (Content-Length framing), enough to
drive `bin/cromwell lsp` through a session: requests with answers, notifications, and plain
answers to the requests the server sends (progress creation, configuration). Used by the AOT
training run of bin/build and by the launch tests."""

import json
import subprocess
import threading
import time


class LspError(RuntimeError):
    pass


class LspClient:
    def __init__(self, command, env=None, stderr=None):
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=stderr, env=env)
        self._next = 0
        self._answers = {}
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    with self._cond:
                        self._cond.notify_all()
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            message = json.loads(out.read(length))
            if "id" in message and "method" in message:
                # A request of the server's: progress tokens, configuration, registrations.
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "id" in message:
                with self._cond:
                    self._answers[message["id"]] = message
                    self._cond.notify_all()

    def request(self, method, params, timeout=60):
        with self._cond:
            self._next += 1
            rid = self._next
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self._cond:
            while rid not in self._answers:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise LspError(f"no answer to {method} (server exit code {self.proc.poll()})")
                self._cond.wait(min(left, 0.5))
            answer = self._answers.pop(rid)
        if "error" in answer:
            raise LspError(f"{method}: {answer['error']}")
        return answer.get("result")

    def notify(self, method, params):
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def initialize(self, options, root_uri=None):
        result = self.request("initialize", {"processId": None, "rootUri": root_uri,
                                             "capabilities": {},
                                             "initializationOptions": options})
        self.notify("initialized", {})
        return result

    def await_ready(self, timeout=300):
        deadline = time.monotonic() + timeout
        while True:
            state = self.request("cromwell/status", {})["modelState"]
            if state == "ready":
                return
            if state.startswith("failed") or time.monotonic() > deadline:
                raise LspError(f"the model did not load: {state}")
            time.sleep(0.05)

    def inline_completion(self, uri, line, character, timeout=120):
        result = self.request("textDocument/inlineCompletion", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": character},
            "context": {"triggerKind": 2}}, timeout)
        items = result["items"] if isinstance(result, dict) else (result or [])
        return items[0]["insertText"] if items else ""

    def close(self, timeout=60):
        """shutdown and exit, as an editor ends a session; returns the exit code."""
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.stdin.close()
        except (LspError, BrokenPipeError):
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
