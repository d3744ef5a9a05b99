#!/usr/bin/env bash
# How `cromwell serve` treats a short request that comes while a long prompt is computed: a
# 1-token completion of a ~1,500-token prompt is sent, then 0.3 s later a 16-token completion of a
# short one; prints when each answer came, in seconds after the long one was sent.
#   benchmarks/serve-short-during-long.sh [BASE_DIR] [ROUNDS]   (after bin/build; needs curl and python3)
# BASE_DIR: another built checkout (its bin/cromwell) to alternate with this one, round by round,
# so that both see the same stretch of machine load. Model: qwen2.5-coder-0.5b-instruct from the
# model store (MODEL=path to change), 2 threads, port 18555 (PORT to change).
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
base=${1:-}
rounds=${2:-2}
model=${MODEL:-${CROMWELL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/cromwell}/models/qwen2.5-coder-0.5b-instruct.gguf}
port=${PORT:-18555}
url=http://127.0.0.1:$port
builds=("$root")
# Seconds since the date +%s.%N value $1, to the millisecond.
since() { awk -v t0="$1" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.3f", t1 - t0 }'; }
[ -n "$base" ] && builds=("$base" "$root")
echo "== $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg), model $(basename "$model")"
for round in $(seq "$rounds"); do
  for build in "${builds[@]}"; do
    "$build/bin/cromwell" serve -m "$model" -t 2 --port "$port" -c 4096 > /tmp/serve-short-during-long.log 2>&1 &
    server=$!
    for _ in $(seq 200); do curl -sf "$url/health" > /dev/null && break; sleep 0.3; done
    curl -sf "$url/v1/completions" -d '{"prompt":"warm up","max_tokens":4,"temperature":0}' > /dev/null
    # A prompt of its own each round, so that no KV cache holds it.
    long=$(python3 -c "print('Round $round. ' + 'The quick brown fox jumps over the lazy dog. ' * 150)")
    t0=$(date +%s.%N)
    (curl -sf "$url/v1/completions" -d "{\"prompt\":\"$long\",\"max_tokens\":1,\"temperature\":0}" > /dev/null
     echo "$build round $round: long  (1 token)   answered $(since "$t0") s") &
    long_pid=$!
    sleep 0.3
    curl -sf "$url/v1/completions" -d '{"prompt":"def fibonacci(n):","max_tokens":16,"temperature":0}' > /dev/null
    echo "$build round $round: short (16 tokens) answered $(since "$t0") s"
    wait "$long_pid"
    # bin/cromwell runs java as a child: stop the server by its command line.
    pkill -f -- "serve -m $model -t 2 --port $port" || true
    wait "$server" 2> /dev/null || true
    sleep 1
  done
done
