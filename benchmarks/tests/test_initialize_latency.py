"""Tests of benchmarks/initialize_latency.py against small servers written here: the time and CPU
of a server that answers late, and one line (no traceback) for one that never answers."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "initialize_latency.py"

# Reads one framed request, burns ~0.3 s of CPU, then answers it.
SERVER = r"""
import json, sys, time
inp = sys.stdin.buffer
length = None
while True:
    line = inp.readline().strip()
    if not line:
        break
    if line.lower().startswith(b"content-length:"):
        length = int(line.split(b":")[1])
request = json.loads(inp.read(length))
end = time.process_time() + 0.3
while time.process_time() < end:
    pass
body = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": {"capabilities": {}}}).encode()
sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
sys.stdout.buffer.flush()
time.sleep(30)
"""


def run(*command):
    return subprocess.run([sys.executable, str(SCRIPT), "--label", "t", "--", *command],
                          capture_output=True, text=True, timeout=60)


def test_time_and_cpu_to_the_answer(tmp_path):
    server = tmp_path / "server.py"
    server.write_text(SERVER)
    done = run(sys.executable, str(server))
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)
    assert line["label"] == "t"
    assert line["initializeMs"] >= 300
    assert line["cpuMs"] >= 250, line


def test_a_server_that_exits_without_answering_is_one_line():
    done = run(sys.executable, "-c", "import sys; sys.exit(3)")
    assert done.returncode != 0
    assert done.stderr.startswith("initialize_latency: "), done.stderr
    assert "Traceback" not in done.stderr


def test_until_exit_times_a_command_to_its_end():
    done = subprocess.run([sys.executable, str(SCRIPT), "--label", "t", "--until-exit", "--",
                           sys.executable, "-c", "import time; time.sleep(0.2)"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["initializeMs"] >= 200
