#!/usr/bin/env bash
# Issue 23, goal 1: what an editor user waits for, through the real editor path (TypingLatencyBench:
# `bin/cromwell lsp` as a process over pipes, this repository as the workspace, regions of its own
# Python and Java typed again). Per run: initialize after process start, ready after initialize,
# the first suggestion (ms, length, why it ended) and keystroke -> suggestion p50/p95.
#   benchmarks/editor-latency.sh [-r ROUNDS] [-m MODEL] [-i] [-e] [-d] [BASE_REV]   (after bin/build)
# -e: every pause on stderr too (place, line typed so far, latency, suggestion), each just after
# the server's timing line for it when run with CROMWELL_JVM_OPTS=-Dcromwell.timing=true.
# -i: only the time from process start to the initialize answer (and the CPU spent to it), by
# benchmarks/initialize_latency.py, without a model: seconds a round, so use many (-r 20). Each
# round also times the floor: bin/cromwell with the same JVM flags and AOT cache, exiting before
# main (`CROMWELL_JVM_OPTS=-version`, with the jar as class path so the cache applies), labelled
# "jvm-floor".
# -d: through the shared warm daemon (plain `cromwell lsp` as editors start it, CROMWELL_DAEMON=auto)
# in a fresh run folder: round 1 starts the daemon ("HEAD/daemon-first"), later rounds find it with the
# model loaded and warm ("HEAD/daemon-warm"); the daemon is stopped at the end.
# With BASE_REV, that revision is exported and built in a temporary folder and the runs alternate
# BASE, HEAD, BASE, HEAD ... so each ratio comes from one stretch of machine load; the table shows
# medians over the rounds. Defaults: 3 rounds, qwen2.5-coder-0.5b-instruct from the model store.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
# By default the cold server in its own process is measured, not the shared warm daemon (-d).
export CROMWELL_DAEMON=off
daemon=
rounds=3
initialize_only=
each=()
model="${CROMWELL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/cromwell}/models/qwen2.5-coder-0.5b-instruct.gguf"
while getopts r:m:ied o; do
  case $o in
    r) rounds=$OPTARG ;;
    m) model=$OPTARG ;;
    i) initialize_only=1 ;;
    e) each=(--each) ;;
    d) daemon=1 ;;
    *) echo "usage: $0 [-r ROUNDS] [-m MODEL] [-i] [-e] [-d] [BASE_REV]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
base=${1:-}
[ -n "$initialize_only" ] || [ -f "$model" ] || { echo "editor-latency: $model is missing; get it with: bin/cromwell pull qwen2.5-coder-0.5b-instruct" >&2; exit 2; }
[ -d "$root/benchmarks/target/classes" ] || { echo "editor-latency: build first with: bin/build" >&2; exit 2; }
java=$("$root/bin/find-java" java)
work=$(mktemp -d)
# The daemon runs in its run folder: stop the ones started here, then clean up.
stop_daemons() {
  local stopped=()
  for p in $(pgrep -f -- 'lsp --daemon' || true); do
    case "$(readlink "/proc/$p/cwd" 2>/dev/null)" in
      "$work"/*) kill "$p" 2>/dev/null && stopped+=("$p") ;;
    esac
  done
  # Wait (up to 10 s) for them to exit, so that nothing writes into the folder being removed.
  for p in "${stopped[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
  done
}
trap 'stop_daemons; rm -rf "$work"' EXIT
if [ -n "$daemon" ]; then
  export CROMWELL_DAEMON=auto CROMWELL_RUN_DIR="$work/run"
fi
variants=(HEAD)
declare -A server=([HEAD]="$root/bin/cromwell lsp")
if [ -n "$base" ]; then
  echo "building $base in $work/base ..." >&2
  mkdir "$work/base"
  git -C "$root" archive "$base" | tar -x -C "$work/base"
  (cd "$work/base" && JAVA_HOME=$("$root/bin/find-java" home) bin/build -pl lsp-server -am >/dev/null)
  variants=("$base" HEAD)
  server[$base]="$work/base/bin/cromwell lsp"
fi
bench() {
  if [ "$1" = jvm-floor ]; then
    # -version stops before main; the class path named as -jar would name it, or the cache
    # does not match and is not used.
    (cd "$root" && CROMWELL_JVM_OPTS="-Djava.class.path=$root/lsp-server/target/cromwell.jar -version" \
      python3 benchmarks/initialize_latency.py \
      --label "$1" --until-exit -- $2)
    return
  fi
  if [ -n "$initialize_only" ]; then
    (cd "$root" && python3 benchmarks/initialize_latency.py --label "$1" -- $2)
    return
  fi
  (cd "$root" && "$java" --add-modules=jdk.incubator.vector \
    -cp "benchmarks/target/classes:benchmarks/target/lib/*" \
    dev.cromwell.benchmarks.TypingLatencyBench -m "$model" -t 2 --server "$2" --label "$1" "${each[@]}" \
    2> >(grep -v 'incubator' >&2))
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); nproc $(nproc)"
measured=("${variants[@]}")
if [ -n "$initialize_only" ]; then
  measured+=(jvm-floor)
  server[jvm-floor]="$root/bin/cromwell lsp"
fi
labels=()
for ((r = 1; r <= rounds; r++)); do
  for v in "${measured[@]}"; do
    label=$v
    if [ -n "$daemon" ] && [ "$v" != jvm-floor ]; then
      label="$v/daemon-$([ "$r" = 1 ] && echo first || echo warm)"
    fi
    [[ " ${labels[*]} " == *" $label "* ]] || labels+=("$label")
    echo "round $r: $label" >&2
    bench "$label" "${server[$v]}" >>"$work/runs.jsonl"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/runs.jsonl" "$initialize_only" "${labels[@]}" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
initialize_only = sys.argv[2] == "1"
variants = sys.argv[3:]
def med(v, k):
    xs = [r[k] for r in runs if r["label"] == v]
    return statistics.median(xs)
def fmt(x):
    return "late" if x == float("inf") else f"{x:.0f}"
print()
if initialize_only:
    print("| variant | runs | initialize ms: median (min, max) | CPU ms: median | load (1 min) |")
    print("|---|---|---|---|---|")
    for v in variants:
        rs = [r for r in runs if r["label"] == v]
        xs = [r["initializeMs"] for r in rs]
        print(f"| {v} | {len(rs)} | {fmt(med(v, 'initializeMs'))} ({fmt(min(xs))}, "
              f"{fmt(max(xs))}) | {fmt(med(v, 'cpuMs'))} | {', '.join(r['load1'] for r in rs)} |")
    print("| goal | | ≤ 100 | | |")
    compared = [v for v in variants if v != "jvm-floor"]
    if len(compared) == 2:
        a, b = compared
        print()
        for k in ("initializeMs", "cpuMs"):
            print(f"{k}: {b} / {a} = {med(b, k) / med(a, k):.2f}")
    print()
    for r in runs:
        print(json.dumps(r))
    sys.exit(0)
print("| variant | runs | keystroke p50 ms | p95 ms | empty of pauses | typed ahead "
      "| first suggestion ms (chars, ended by) | initialize ms | ready ms | load (1 min) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for v in variants:
    rs = [r for r in runs if r["label"] == v]
    firsts = ", ".join(f'{r["firstChars"]} {r["firstStop"]}' for r in rs)
    empties = ", ".join(f'{r["empty"]}/{r["pauses"]}' for r in rs)
    ahead = ", ".join(str(r.get("typedAhead", 0)) for r in rs)
    print(f"| {v} | {len(rs)} | {fmt(med(v, 'p50'))} | {fmt(med(v, 'p95'))} | {empties} | "
          f"{ahead} | {fmt(med(v, 'firstMs'))} ({firsts}) | {fmt(med(v, 'initializeMs'))} | "
          f"{fmt(med(v, 'readyMs'))} | {', '.join(r['load1'] for r in rs)} |")
print("| goal | | ≤ 250 | ≤ 600 | | | ≤ 1,000, a full suggestion | ≤ 100 | ≤ 1,500 | |")
if len(variants) == 2:
    a, b = variants
    print()
    for k in ("p50", "p95", "firstMs", "initializeMs", "readyMs"):
        x, y = med(a, k), med(b, k)
        if x not in (0, float("inf")) and y != float("inf"):
            print(f"{k}: {b} / {a} = {y / x:.2f}")
print()
for r in runs:
    print(json.dumps(r))
PY
