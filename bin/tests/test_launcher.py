"""bin/find-java and bin/cromwell on a JDK that is not this machine's: a fake JDK 25 whose java
fails as Java does when the process forbids executable memory (PR_SET_MDWE). find-java takes the
version from the JDK's release file without starting java (a JVM start that every editor's
`cromwell lsp` used to wait for), and bin/cromwell still explains the failure in one line.
Needs the built jar (bin/build)."""

import os
import pathlib
import select
import signal
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def fake_jdk(tmp_path, version):
    home = tmp_path / f"jdk-{version}"
    (home / "bin").mkdir(parents=True)
    (home / "release").write_text(f'IMPLEMENTOR="test"\nJAVA_VERSION="{version}"\n')
    java = home / "bin" / "java"
    java.write_text("#!/bin/sh\n"
                    f"echo started >> '{tmp_path}/java-runs'\n"
                    "echo 'Error: could not mark memory page as executable' >&2\n"
                    "exit 1\n")
    java.chmod(0o755)
    return home


def run(command, home, tmp_path):
    env = dict(os.environ, CROMWELL_JAVA_HOME=str(home), JAVA_HOME=str(home))
    return subprocess.run([str(ROOT / "bin" / command[0]), *command[1:]], env=env,
                          capture_output=True, text=True, timeout=120)


def test_find_java_reads_the_release_file_without_starting_java(tmp_path):
    home = fake_jdk(tmp_path, "25.0.1")
    found = run(["find-java", "java"], home, tmp_path)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(home / "bin" / "java")
    assert not (tmp_path / "java-runs").exists(), "find-java started java"


def test_an_older_jdk_by_its_release_file_is_passed_over(tmp_path):
    home = fake_jdk(tmp_path, "17.0.9")
    found = run(["find-java", "home"], home, tmp_path)
    assert found.stdout.strip() != str(home), found.stdout


def test_java_refused_executable_memory_is_explained_in_one_line(tmp_path):
    assert (ROOT / "lsp-server" / "target" / "cromwell.jar").is_file(), "build first: bin/build"
    home = fake_jdk(tmp_path, "25.0.1")
    started = run(["cromwell", "lsp"], home, tmp_path)
    assert started.returncode == 1
    assert "forbids executable memory (PR_SET_MDWE" in started.stderr, started.stderr
    assert "Traceback" not in started.stderr and started.stdout == ""


def test_stderr_lines_pass_through_as_they_come(tmp_path):
    """`cromwell serve` announces its port on stderr and keeps running: a client waits for that
    line, so the launcher's filter must pass each line on at once, not when its buffer fills."""
    assert (ROOT / "lsp-server" / "target" / "cromwell.jar").is_file(), "build first: bin/build"
    home = fake_jdk(tmp_path, "25.0.1")
    java = home / "bin" / "java"
    java.write_text("#!/bin/sh\n"
                    "echo 'WARNING: Using incubator modules: jdk.incubator.vector' >&2\n"
                    "echo 'cromwell serve: listening on http://127.0.0.1:1' >&2\n"
                    "sleep 30\n")
    env = dict(os.environ, CROMWELL_JAVA_HOME=str(home), JAVA_HOME=str(home))
    process = subprocess.Popen([str(ROOT / "bin" / "cromwell"), "serve"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        ready = select.select([process.stderr], [], [], 10)[0]
        assert ready, "no stderr line within 10 s while the process runs"
        assert process.stderr.readline() == "cromwell serve: listening on http://127.0.0.1:1\n"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
