"""The training run of the JDK AOT cache that bin/cromwell starts the JVM with (JEP 483, 514, 515):
one real editor session with `bin/cromwell lsp` under -XX:AOTCacheOutput, so that the cache holds
the classes an editor session loads and links, and the method profiles of its hot code (the
kernels on a real model), and a later server answers `initialize` and reaches a warm model sooner.

    python3 bin/lib/aot_train.py OUTPUT

The model is the default one if it is in the model store, else SmolLM2, else none (the cache
then covers start-up only). The cache is written next to OUTPUT and renamed into place, so a
failed run leaves no cache rather than half of one; bin/cromwell starts without one."""

import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from lsp_client import LspClient  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODELS = ("qwen2.5-coder-0.5b-instruct", "smollm2-135m-instruct")


def model_store():
    home = os.environ.get("CROMWELL_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "cromwell")
    return pathlib.Path(home) / "models"


def main(output):
    output = pathlib.Path(output).resolve()
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    model = next((model_store() / f"{m}.gguf" for m in MODELS
                  if (model_store() / f"{m}.gguf").is_file()), None)
    # In this process, not the shared daemon: the cache is of the server's own classes and profiles.
    env = dict(os.environ, CROMWELL_AOT_OUTPUT=str(partial), CROMWELL_DAEMON="off")
    env.pop("CROMWELL_AOT_CACHE", None)
    sample = ROOT / "examples" / "sample.py"
    started = time.monotonic()
    with open(output.with_name(output.name + ".log"), "wb") as log:
        client = LspClient([str(ROOT / "bin" / "cromwell"), "lsp"], env=env, stderr=log)
        client.initialize({"model": str(model) if model else "/nonexistent-model.gguf",
                           "threads": 2}, sample.parent.as_uri())
        if model:
            client.await_ready()
            text = sample.read_text()
            uri = sample.as_uri()
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": text}})
            line = text.split("\n")[2]  # "    return " in add()
            for version, typed in enumerate(("", "a", "a "), start=2):
                if typed:
                    client.notify("textDocument/didChange", {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [{"range": {
                            "start": {"line": 2, "character": len(line) + len(typed) - 1},
                            "end": {"line": 2, "character": len(line) + len(typed) - 1}},
                            "text": typed[-1]}]})
                client.inline_completion(uri, 2, len(line) + len(typed))
        code = client.close(timeout=300)
    if code != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        print(f"aot-train: no AOT cache (the training session ended with {code}; see "
              f"{output.name}.log); bin/cromwell starts without one", file=sys.stderr)
        return 1
    partial.replace(output)
    print(f"aot-train: {output} ({output.stat().st_size >> 20} MiB) from a session "
          f"with {model.name if model else 'no model'} in {time.monotonic() - started:.0f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
