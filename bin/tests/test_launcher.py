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
    env = dict(os.environ, CROMWELL_JAVA_HOME=str(home), JAVA_HOME=str(home), CROMWELL_DAEMON="off")
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


def test_the_jar_is_found_through_links_spaces_and_bash(tmp_path):
    """bin/cromwell finds its tree from $0 without dirname, and readlink only for a link: run
    directly, through a link to the script (relative or absolute), through a link to bin/, as
    `bash cromwell` from bin/ and `bash bin/cromwell`, all under folders with spaces, it must run
    the jar of the tree it lives in."""
    tree = tmp_path / "my tools"
    (tree / "bin").mkdir(parents=True)
    for name in ("cromwell", "find-java"):
        (tree / "bin" / name).write_bytes((ROOT / "bin" / name).read_bytes())
        (tree / "bin" / name).chmod(0o755)
    jar = tree / "lsp-server" / "target" / "cromwell.jar"
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"")
    home = fake_jdk(tmp_path, "25.0.1")
    (home / "bin" / "java").write_text("#!/bin/sh\n"
                                       "while [ $# -gt 0 ]; do [ \"$1\" = -jar ] && echo \"$2\"; "
                                       "shift; done > \"$JAR_SEEN\"\n")
    links = tmp_path / "link dir"
    links.mkdir()
    (links / "cromwell").symlink_to(tree / "bin" / "cromwell")
    (links / "relative").symlink_to(pathlib.Path("..", "my tools", "bin", "cromwell"))
    (tmp_path / "bin link").symlink_to(tree / "bin")
    seen = tmp_path / "jar seen"
    env = dict(os.environ, CROMWELL_JAVA_HOME=str(home), JAVA_HOME=str(home), JAR_SEEN=str(seen))
    ways = [([str(tree / "bin" / "cromwell")], tmp_path),
            ([str(links / "cromwell")], tmp_path),
            (["./relative"], links),
            ([str(tmp_path / "bin link" / "cromwell")], tmp_path),
            (["bash", "cromwell"], tree / "bin"),
            (["bash", "bin/cromwell"], tree)]
    for command, cwd in ways:
        seen.unlink(missing_ok=True)
        ran = subprocess.run([*command, "version"], cwd=cwd, env=env, capture_output=True,
                             text=True, timeout=60)
        assert ran.returncode == 0, (command, ran.stderr)
        assert seen.read_text().strip() == os.path.realpath(jar), (command, seen.read_text())


def test_the_jvms_own_warnings_never_reach_the_lsp_stream(tmp_path):
    # A heap smaller than bin/cromwell's MaxNewSize makes the JVM warn at start, and a
    # CompileCommand is echoed; by default the JVM writes both to stdout, ahead of the first LSP
    # header, where an editor's reader fails on them.
    env = dict(os.environ, CROMWELL_DAEMON="off",
               CROMWELL_JVM_OPTS="-Xmx200m -XX:CompileCommand=exclude,java.lang.String::foo")
    server = subprocess.Popen([str(ROOT / "bin" / "cromwell"), "lsp"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              start_new_session=True)
    try:
        body = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}'
        server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        server.stdin.flush()
        first = server.stdout.readline()
    finally:
        # The launcher, its JVM and its stderr filter: all of them hold the pipes.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    said = server.stderr.read().decode()
    assert first.startswith(b"Content-Length:"), (first, said)
    assert "MaxNewSize" in said, "the JVM's warning should still reach the user, on stderr"
    assert "CompileCommand" in said, "the VM's echo should still reach the user, on stderr"


def test_the_aot_cache_goes_only_to_the_jdk_that_made_it(tmp_path):
    """A JDK refuses another JDK's AOT cache and then starts without its own class-data archive
    too, silently under the launcher's -Xlog settings. bin/build copies the training JDK's release
    file beside the cache (cromwell.aot.jdk); bin/cromwell passes the cache only when that copy is
    its java's release file: not after a JDK update, nor for a cache without the copy."""
    jar = ROOT / "lsp-server" / "target" / "cromwell.jar"
    assert jar.is_file(), "build first: bin/build"
    home = fake_jdk(tmp_path, "25.0.1")
    (home / "bin" / "java").write_text("#!/bin/sh\necho \"$@\" > \"$ARGS_SEEN\"\n")
    cache = tmp_path / "c.aot"
    cache.write_bytes(b"a cache")
    os.utime(cache, (jar.stat().st_mtime + 60,) * 2)  # newer than the jar
    args = tmp_path / "args"
    env = dict(os.environ, CROMWELL_JAVA_HOME=str(home), JAVA_HOME=str(home),
               CROMWELL_AOT_CACHE=str(cache), ARGS_SEEN=str(args), CROMWELL_DAEMON="off")

    def passed(sidecar):
        pathlib.Path(f"{cache}.jdk").unlink(missing_ok=True)
        if sidecar is not None:
            pathlib.Path(f"{cache}.jdk").write_text(sidecar)
        ran = subprocess.run([str(ROOT / "bin" / "cromwell"), "--version"], env=env,
                             capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0, ran.stderr
        return f"-XX:AOTCache={cache}" in args.read_text()

    assert passed((home / "release").read_text()), "the cache of this JDK was not passed"
    assert not passed('IMPLEMENTOR="test"\nJAVA_VERSION="25.0.0"\n'), "another JDK's was"
    assert not passed(None), "a cache without its JDK's release file was passed"
