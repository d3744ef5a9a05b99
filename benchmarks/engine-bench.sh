#!/usr/bin/env bash
# Engine speed tables for docs/PERFORMANCE.md: bandwidth probe, then `cromwell bench` (pp and tg)
# for each model × threads × vector width × load mode, in one run so the numbers compare.
#   benchmarks/engine-bench.sh [MODELS_DIR] [SHAPES] [TYPES]
#   e.g. benchmarks/engine-bench.sh /tmp/models "QWEN25_CODER_05B" "Q8_0 Q4_0"
#   env: P (prompt tokens), N (generated tokens), R (repetitions), THREADS (default "1 2"),
#        BITS (vector widths, default "512 256"), LOADS (default "mmap copy")
# Needs bin/build first. Writes missing models with bin/bench-models. Prints markdown rows.
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

echo "## bandwidth"
"$java" --add-modules=jdk.incubator.vector -cp "$cp" dev.cromwell.benchmarks.BandwidthProbe 2 2>/dev/null

echo
echo "| model | bytes | threads | vector bits | load | pp$P tok/s | tg$N tok/s |"
echo "|---|---|---|---|---|---|---|"
for shape in $shapes; do
  for type in $types; do
    label=$(echo "$shape" | tr 'A-Z_' 'a-z-' | sed 's/qwen25-coder-05b/qwen2.5-coder-0.5b/; s/qwen25-coder-15b/qwen2.5-coder-1.5b/; s/cromwell-12b/cromwell-1.2b/')
    file="$models/$label-$(echo "$type" | tr 'A-Z' 'a-z').gguf"
    [ -f "$file" ] || "$root/bin/bench-models" --shape "$shape" --type "$type" -o "$models" >&2
    for threads in ${THREADS:-1 2}; do
      for bits in ${BITS:-512 256}; do
        for load in ${LOADS:-mmap copy}; do
          json=$("$root/bin/cromwell" bench -m "$file" -p "$P" -n "$N" -r "$R" -t "$threads" --vector-bits "$bits" --load "$load" --json)
          python3 - "$json" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
pp = next(v for k, v in r.items() if k.startswith("pp"))
tg = next(v for k, v in r.items() if k.startswith("tg"))
name = r["model"].rsplit("/", 1)[-1]
print(f"| {name} | {r['modelBytes']:,} | {r['threads']} | {r['vectorBits']} | {r['load']} | "
      f"{pp['mean']:.1f} ± {pp['stddev']:.1f} | {tg['mean']:.1f} ± {tg['stddev']:.1f} |")
PY
        done
      done
    done
  done
done
