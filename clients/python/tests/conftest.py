"""A live `cromwell serve` on the real SmolLM2 for the client and SDK tests."""
import os
import pathlib
import re
import signal
import subprocess
import sys
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "clients" / "python"))

API_KEY = "test-key"


def model_store() -> pathlib.Path:
    home = os.environ.get("CROMWELL_HOME")
    if home:
        return pathlib.Path(home) / "models"
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return pathlib.Path(cache) / "cromwell" / "models"


def smollm2() -> pathlib.Path:
    path = model_store() / "smollm2-135m-instruct.gguf"
    if not path.is_file():
        pytest.fail(f"{path} is missing: the client tests need SmolLM2 in the model store "
                    "(.ci/run puts it there)")
    return path


class Server:
    def __init__(self, *args: str, port: int = 0):
        jar = ROOT / "lsp-server" / "target" / "cromwell.jar"
        if not jar.is_file():
            pytest.fail(f"{jar} is missing: run bin/build first")
        self.process = subprocess.Popen(
            [str(ROOT / "bin" / "cromwell"), "serve", "-m", str(smollm2()), "-t", "2",
             "-c", "2048", "--port", str(port), *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            # bin/cromwell runs java as a child: a session of its own lets stop() end both.
            start_new_session=True)
        self.log = []
        for line in self.process.stderr:
            self.log.append(line)
            found = re.search(r"on (http://[\d.]+:\d+)", line)
            if found:
                self.url = found.group(1)
                break
        else:
            pytest.fail("cromwell serve did not start: " + "".join(self.log))
        # Keep reading so that the server never blocks on a full pipe.
        threading.Thread(target=lambda: self.log.extend(self.process.stderr), daemon=True).start()

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def server():
    s = Server("--api-key", API_KEY)
    yield s
    s.stop()
