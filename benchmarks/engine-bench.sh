#!/usr/bin/env bash
# Engine speed tables for docs/PERFORMANCE.md: bandwidth probe, then `cromwell bench` (pp and tg)
# for each model × threads × vector width × load mode, and llama.cpp's `llama-bench` on the same
# files at the same thread counts when it is installed — all in one run, so the numbers compare.
#   benchmarks/engine-bench.sh [MODELS_DIR] [SHAPES] [TYPES]
#   e.g. benchmarks/engine-bench.sh /tmp/models "QWEN25_CODER_05B" "Q8_0 Q4_0"
#   env: P (prompt tokens), N (generated tokens), R (repetitions), THREADS (default "1 2"),
#        BITS (vector widths, default "512 256"), LOADS (default "mmap copy"),
#        LLAMA_BENCH (path of llama-bench; default: the one on PATH, if any),
#        LLAMA_BENCH_AVX2 (optional: a llama-bench built for AVX2 only, compared with 256-bit runs)
# Needs bin/build first. Writes missing models with bin/bench-models. Prints markdown tables
# (benchmarks/bench_table.py): tg as a fraction of the mapped-file bound, and Cromwell ÷ llama.cpp.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
models=${1:-$root/bench-models}
shapes=${2:-QWEN25_CODER_05B}
types=${3:-Q8_0 Q4_0}
P=${P:-512}
N=${N:-128}
R=${R:-3}
java=$("$root/bin/find-java" java)
cp="$root/benchmarks/target/classes:$root/benchmarks/target/lib/*"
llama=${LLAMA_BENCH:-$(command -v llama-bench || true)}
llama_avx2=${LLAMA_BENCH_AVX2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "## bandwidth"
"$java" --add-modules=jdk.incubator.vector -cp "$cp" dev.cromwell.benchmarks.BandwidthProbe 2 \
  2>/dev/null | tee "$work/bandwidth.txt"
[ -n "$llama" ] || echo "(llama-bench not found on PATH and LLAMA_BENCH unset: Cromwell only)"

for shape in $shapes; do
  for type in $types; do
    label=$(echo "$shape" | tr 'A-Z_' 'a-z-' | sed 's/qwen25-coder-05b/qwen2.5-coder-0.5b/; s/qwen25-coder-15b/qwen2.5-coder-1.5b/; s/cromwell-12b/cromwell-1.2b/')
    file="$models/$label-$(echo "$type" | tr 'A-Z' 'a-z').gguf"
    [ -f "$file" ] || "$root/bin/bench-models" --shape "$shape" --type "$type" -o "$models" >&2
    for threads in ${THREADS:-1 2}; do
      for bits in ${BITS:-512 256}; do
        for load in ${LOADS:-mmap copy}; do
          echo "cromwell bench $(basename "$file") -t $threads --vector-bits $bits --load $load" >&2
          "$root/bin/cromwell" bench -m "$file" -p "$P" -n "$N" -r "$R" -t "$threads" \
            --vector-bits "$bits" --load "$load" --json | tr -d '\n' >>"$work/cromwell.jsonl"
          echo >>"$work/cromwell.jsonl"
        done
      done
      if [ -n "$llama" ]; then
        echo "llama-bench $(basename "$file") -t $threads" >&2
        "$llama" -m "$file" -p "$P" -n "$N" -r "$R" -t "$threads" -o json | tr -d '\n' \
          >>"$work/llama.jsonl"
        echo >>"$work/llama.jsonl"
      fi
      if [ -n "$llama_avx2" ]; then
        echo "llama-bench (AVX2 build) $(basename "$file") -t $threads" >&2
        "$llama_avx2" -m "$file" -p "$P" -n "$N" -r "$R" -t "$threads" -o json | tr -d '\n' \
          >>"$work/llama-avx2.jsonl"
        echo >>"$work/llama-avx2.jsonl"
      fi
    done
  done
done

echo
args=(--bandwidth "$work/bandwidth.txt" --cromwell "$work/cromwell.jsonl")
[ -z "$llama" ] || args+=(--llama "$work/llama.jsonl")
[ -z "$llama_avx2" ] || args+=(--llama-avx2 "$work/llama-avx2.jsonl")
python3 "$root/benchmarks/bench_table.py" "${args[@]}"
