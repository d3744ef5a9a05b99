"""The README's HTTP examples, run exactly as written against a server on 127.0.0.1:8080."""
import json
import re
import subprocess

import pytest

from conftest import ROOT, Server


def examples():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- http-examples.*?```sh\n(.*?)```", readme, re.S)
    assert block, "README.md lost its http-examples block"
    return [line for line in block.group(1).splitlines() if line.startswith("curl ")]


def test_readme_serve_line_names_a_catalogue_model():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = re.search(r"^bin/cromwell serve -m (\S+)$", readme, re.M)
    assert line, "README.md lost its `bin/cromwell serve -m MODEL` line"
    catalog = json.loads((ROOT / "engine/src/main/resources/dev/cromwell/engine/store/catalog.json")
                         .read_text(encoding="utf-8"))
    names = [m["name"] for m in catalog["models"]]
    assert line.group(1) in names, f"{line.group(1)} is not a catalogue model: {names}"


@pytest.fixture(scope="module")
def readme_server():
    s = Server(port=8080)  # the README's default address
    yield s
    s.stop()


def test_every_curl_example_works_as_written(readme_server):
    commands = examples()
    assert len(commands) >= 6
    for command in commands:
        run = subprocess.run(["bash", "-c", "set -o pipefail; " + command], capture_output=True,
                             text=True, timeout=300)
        assert run.returncode == 0, f"{command}\n{run.stdout}\n{run.stderr}"
        out = run.stdout.strip()
        assert out, command
        if "/metrics" in command:
            assert re.search(r"^cromwell_queue_depth \d+$", out, re.M), out
        elif '"stream": true' in command:
            events = [l[6:] for l in out.splitlines() if l.startswith("data: ")]
            assert events[-1] == "[DONE]", out
            assert all("choices" in json.loads(e) for e in events[:-1]), out
        else:
            body = json.loads(out)
            assert "error" not in body, f"{command}\n{out}"
            if "/v1/chat/completions" in command:
                assert "Paris" in body["choices"][0]["message"]["content"], out
            if "/v1/cromwell/edit" in command:
                assert body["refusal"] is not None or body["text"].startswith("def area(r):")
