"""Issue 23, goal 1: how long an editor waits for the answer to `initialize`. Spawns the server
command, sends `initialize` at once (as an editor does) and prints one JSON line: ms from spawn to
the answer, and the CPU time (user + sys) of the process tree at that moment, read from /proc
(a launcher's children that already ended, such as a JVM it ran to look something up, are not
counted). benchmarks/editor-latency.sh -i runs it interleaved against a base revision.

    python3 benchmarks/initialize_latency.py --label NAME -- bin/cromwell lsp

With --until-exit it times the command to its exit instead (stdin closed, nothing sent), with the
CPU of everything it ran: for the floor under the answer, e.g. a JVM that only prints its version
(`CROMWELL_JVM_OPTS="-Djava.class.path=lsp-server/target/cromwell.jar -version" bin/cromwell lsp`:
the launcher, the same flags and AOT cache, no main).
"""

import argparse
import json
import os
import subprocess
import time


def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(out):
    length = None
    while True:
        line = out.readline()
        if not line:
            raise RuntimeError("the server closed its output before answering initialize")
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(out.read(length))


def tree(pid):
    """pid and its living descendants."""
    pids = [pid]
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return pids
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    pids += tree(int(child))
        except OSError:
            pass
    return pids


def cpu_ms(pids):
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def measure(command):
    started = time.monotonic()
    # The server's own start is measured (CROMWELL_DAEMON=off), unless the caller sets it.
    env = dict(os.environ, CROMWELL_DAEMON=os.environ.get("CROMWELL_DAEMON", "off"))
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)
    try:
        proc.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": None, "capabilities": {},
            # No model: the answer must not wait for one, and none is loaded meanwhile.
            "initializationOptions": {"model": "/nonexistent/initialize-latency.gguf"}}}))
        proc.stdin.flush()
        while True:
            message = read_message(proc.stdout)
            if message.get("id") == 1:
                break
        millis = (time.monotonic() - started) * 1000
        pids = tree(proc.pid)
        cpu = cpu_ms(pids)
        if "result" not in message:
            raise RuntimeError(f"initialize was refused: {message.get('error')}")
        return millis, cpu
    finally:
        for pid in reversed(tree(proc.pid)):
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        proc.wait()


def until_exit(command):
    before = os.times()
    started = time.monotonic()
    done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    millis = (time.monotonic() - started) * 1000
    after = os.times()
    if done.returncode != 0:
        raise RuntimeError(f"exited with {done.returncode}")
    cpu = (after.children_user - before.children_user
           + after.children_system - before.children_system) * 1000
    return millis, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", default="")
    parser.add_argument("--until-exit", action="store_true",
                        help="time the command to its exit, sending nothing")
    parser.add_argument("command", nargs="+", help="the server command, e.g. bin/cromwell lsp")
    args = parser.parse_args()
    try:
        millis, cpu = (until_exit if args.until_exit else measure)(args.command)
    except (RuntimeError, OSError) as e:
        raise SystemExit(f"initialize_latency: {' '.join(args.command)}: {e}")
    with open("/proc/loadavg") as f:
        load1 = f.read().split()[0]
    print(json.dumps({"label": args.label, "initializeMs": round(millis, 1),
                      "cpuMs": round(cpu), "load1": load1}))


if __name__ == "__main__":
    main()
