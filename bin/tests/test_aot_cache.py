"""bin/cromwell with the JDK AOT cache that bin/build trains (bin/lib/aot_train.py): a usable
cache is used, and a missing, damaged or stale one (another build's) is ignored without a word,
the server then serving a real suggestion from the real SmolLM2 as it would with one; one that
another JDK made (cromwell.aot.jdk beside it says which) is not passed at all.
Needs the built jar (bin/build) and SmolLM2 in the model store (bin/cromwell pull)."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bin" / "lib"))
from lsp_client import LspClient  # noqa: E402
from aot_train import model_store  # noqa: E402

JAR = ROOT / "lsp-server" / "target" / "cromwell.jar"
SMOLLM2 = model_store() / "smollm2-135m-instruct.gguf"


@pytest.fixture(scope="module", autouse=True)
def built():
    assert JAR.is_file(), f"{JAR} is missing: build it with bin/build"
    assert SMOLLM2.is_file(), f"{SMOLLM2} is missing: bin/cromwell pull smollm2-135m-instruct"


def of_this_jdk(cache):
    """Marks `cache` as made by the JDK bin/cromwell runs, as bin/build does (cromwell.aot.jdk)."""
    home = subprocess.run([str(ROOT / "bin" / "find-java"), "home"], capture_output=True,
                          text=True, check=True).stdout.strip()
    shutil.copy(pathlib.Path(home) / "release", f"{cache}.jdk")
    return cache


def cromwell(*args, env=None):
    return subprocess.run([str(ROOT / "bin" / "cromwell"), *args], env=env,
                          capture_output=True, text=True, timeout=300)


def loaded_from_cache(cache, tmp_path):
    """How many of Cromwell's classes `cromwell --version` took from the AOT cache."""
    log = tmp_path / "classes.log"
    run = cromwell("--version", env=dict(os.environ, CROMWELL_AOT_CACHE=str(cache),
                                         CROMWELL_JVM_OPTS=f"-Xlog:class+load=info:file={log}"))
    assert run.returncode == 0, run.stderr
    return sum(1 for line in log.read_text().splitlines()
               if " dev.cromwell." in line and "shared objects file" in line)


@pytest.fixture(scope="module")
def fresh_cache(tmp_path_factory):
    cache = tmp_path_factory.mktemp("aot") / "fresh.aot"
    run = cromwell("--version", env=dict(os.environ, CROMWELL_AOT_OUTPUT=str(cache)))
    assert run.returncode == 0 and cache.is_file(), run.stderr
    return of_this_jdk(cache)


def stale_cache(tmp_path):
    """A cache of another build: trained on a copy of the jar at another path."""
    other = tmp_path / "other" / "cromwell.jar"
    other.parent.mkdir()
    shutil.copy(JAR, other)
    cache = tmp_path / "stale.aot"
    java = subprocess.run([str(ROOT / "bin" / "find-java"), "java"], capture_output=True,
                          text=True, check=True).stdout.strip()
    subprocess.run([java, "--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC",
                    f"-XX:AOTCacheOutput={cache}", "-jar", str(other), "--version"],
                   capture_output=True, check=True, timeout=300)
    assert cache.is_file()
    return of_this_jdk(cache)


def test_a_trained_cache_is_used(fresh_cache, tmp_path):
    assert loaded_from_cache(fresh_cache, tmp_path) > 10


@pytest.mark.parametrize("kind", ["missing", "damaged", "stale"])
def test_a_cache_that_cannot_be_used_is_ignored_and_the_server_still_suggests(kind, tmp_path):
    cache = {"missing": lambda: tmp_path / "none.aot",
             "damaged": lambda: (tmp_path / "damaged.aot").write_bytes(b"not a cache" * 99)
             or of_this_jdk(tmp_path / "damaged.aot"),
             "stale": lambda: stale_cache(tmp_path)}[kind]()
    assert loaded_from_cache(cache, tmp_path) == 0
    stderr = tmp_path / "stderr"
    with open(stderr, "wb") as err:
        client = LspClient([str(ROOT / "bin" / "cromwell"), "lsp"], stderr=err,
                           env=dict(os.environ, CROMWELL_AOT_CACHE=str(cache),
                                    CROMWELL_DAEMON="off"))
        try:
            client.initialize({"model": str(SMOLLM2), "threads": 2, "debounceMs": 0,
                               "timeLimitMs": 60000})
            client.await_ready()
            uri = "untitled:add.py"
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1,
                "text": "def add(a, b):\n    return "}})
            suggestion = client.inline_completion(uri, 1, 11)
        finally:
            code = client.close()
    assert suggestion.strip(), "no suggestion"
    assert code == 0
    said = stderr.read_text()
    assert "aot" not in said.lower() and "cds" not in said.lower(), said


def test_a_cache_older_than_the_jar_is_not_passed_so_the_jdk_archive_still_serves(tmp_path):
    old = tmp_path / "old.aot"
    old.write_bytes(b"an earlier build's cache")
    of_this_jdk(old)  # so that only its age can keep bin/cromwell from passing it
    os.utime(old, (JAR.stat().st_mtime - 60,) * 2)
    log = tmp_path / "classes.log"
    run = cromwell("--version", env=dict(os.environ, CROMWELL_AOT_CACHE=str(old),
                                         CROMWELL_JVM_OPTS=f"-Xlog:class+load=info:file={log}"))
    assert run.returncode == 0, run.stderr
    shared = sum(1 for line in log.read_text().splitlines() if "shared objects file" in line)
    assert shared > 100, "the JDK's class-data archive was not used"


def test_a_cache_of_another_jdk_is_not_passed_so_the_jdk_archive_still_serves(fresh_cache,
                                                                             tmp_path):
    """A JDK updated since bin/build: its JVM would refuse the cache and start without the JDK's
    own class-data archive too (none of the JDK's classes shared, initialize slower than with no
    cache at all), so bin/cromwell does not pass it."""
    cache = tmp_path / "other-jdk.aot"
    shutil.copy(fresh_cache, cache)
    pathlib.Path(f"{cache}.jdk").write_text('IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="25.0.2"\n')
    log = tmp_path / "classes.log"
    run = cromwell("--version", env=dict(os.environ, CROMWELL_AOT_CACHE=str(cache),
                                         CROMWELL_JVM_OPTS=f"-Xlog:class+load=info:file={log}"))
    assert run.returncode == 0, run.stderr
    lines = log.read_text().splitlines()
    assert not any(" dev.cromwell." in line and "shared objects file" in line for line in lines)
    assert sum(1 for line in lines if "shared objects file" in line) > 100, \
        "the JDK's class-data archive was not used"
