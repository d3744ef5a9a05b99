#!/usr/bin/env bash
# Batched decoding (issue 21): 1, 2, 4 and 8 concurrent streams through one `cromwell serve
# --batch 8`, in one invocation so the ratios compare; prints a markdown table for
# docs/PERFORMANCE.md (aggregate generated tokens/s, its ratio to 1 stream, per-stream per-token
# latency p50/p95, time to first token), then `cromwell bench`'s one-stream decode speed without
# the server for reference. Run on purpose on a quiet machine, after bin/build:
#   benchmarks/batching.sh [MODEL [TOKENS [THREADS]]]
# MODEL defaults to qwen2.5-coder-0.5b-instruct, TOKENS (per stream) to 64, THREADS to 2.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
model=${1:-qwen2.5-coder-0.5b-instruct}
tokens=${2:-64}
threads=${3:-2}
log=$(mktemp)
server=
trap '[ -n "$server" ] && kill -- "-$server" 2>/dev/null; rm -f "$log"' EXIT
# setsid: the server's own process group, so that the trap stops the JVM and not only bin/cromwell.
setsid "$root/bin/cromwell" serve -m "$model" -t "$threads" --port 0 --batch 8 --queue 16 \
  2>"$log" &
server=$!
url=
for _ in $(seq 600); do
  url=$(grep -o 'on http://[0-9.]*:[0-9]*' "$log" | head -1 | cut -c4-) || true
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$url" ] || { echo "batching.sh: cromwell serve did not start" >&2; cat "$log" >&2; exit 1; }
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); $model, $threads threads, $tokens tokens per stream"
echo
python3 "$root/benchmarks/batching_client.py" "$url" "$tokens" 1 2 4 8
kill -- "-$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
server=
# The one-stream path without the server (Session.next, matrix-vector kernels), for reference.
echo
echo "without the server: $("$root/bin/cromwell" bench -m "$model" -t "$threads" -p 0 -n "$tokens" -r 1 \
  2>/dev/null | grep -i 'tg' | head -1)"
