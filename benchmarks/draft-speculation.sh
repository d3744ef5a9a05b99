#!/usr/bin/env bash
# Issue 23: speculative decoding with a draft model, measured on edits of the quality benchmark's
# two kinds (add a docstring; fix the bug) over HumanEval files, greedy, 2 threads:
#   plain (--speculate off), prompt lookup (--speculate on), a draft model with K tokens
#   (--speculate off --draft DRAFT --draft-tokens K, for each K), and both (--speculate on --draft).
# Each edit runs every setting in turn (interleaved), so a change of load hits all alike. Prints,
# per setting, the drafts accepted, the end-to-end time of prompt plus answer (from the stats line;
# model loading excluded), the speedup against plain and against lookup, and whether every output
# is byte-identical to plain decoding.
#   benchmarks/draft-speculation.sh [MODEL [DRAFT [K...]]]        (after bin/build)
# Defaults: /work/models/qwen2.5-coder-1.5b-instruct.gguf drafted by qwen2.5-coder-0.5b-instruct,
# K = 2 4 6; env EDITS (how many of the 5 edits, default 5), TOKENS (default 256), BOTH_K (K of
# lookup+draft, default the first K), LOAD (default copy). Speed means nothing on a busy machine: the load average is printed before and after.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
model=${1:-/work/models/qwen2.5-coder-1.5b-instruct.gguf}
draft=${2:-qwen2.5-coder-0.5b-instruct}
shift 2 || shift $# || true
ks=("$@")
[ ${#ks[@]} -gt 0 ] || ks=(2 4 6)
load=${LOAD:-copy}
tokens=${TOKENS:-256}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$root/../shared/testdata/humaneval/HumanEval.jsonl.gz" "$work" "${EDITS:-5}" <<'PY'
import gzip, json, re, sys, pathlib
problems = {json.loads(l)["task_id"]: json.loads(l) for l in gzip.open(sys.argv[1])}
out = pathlib.Path(sys.argv[2])
def without_docstring(p):
    return re.sub(r'(def ' + p["entry_point"] + r'\(.*?\n)\s*""".*?"""\n', r"\1", p["prompt"], flags=re.S)
def docstring(tid):
    p = problems[tid]
    return "Add a docstring to the function " + p["entry_point"], without_docstring(p) + p["canonical_solution"]
def fix(tid, old, new):
    p = problems[tid]
    body = p["canonical_solution"]
    assert old in body, (tid, old)
    return "Fix the bug", p["prompt"] + body.replace(old, new, 1)
edits = [docstring("HumanEval/0"), fix("HumanEval/0", "distance < threshold", "distance > threshold"),
         docstring("HumanEval/12"), fix("HumanEval/12", "if len(s) == maxlen", "if len(s) != maxlen"),
         docstring("HumanEval/26")]
for i, (instruction, code) in enumerate(edits[:int(sys.argv[3])]):
    (out / f"edit{i}.txt").write_text(
        f"<|im_start|>user\n{instruction}. Answer with the whole code.\n```python\n{code}```"
        "<|im_end|>\n<|im_start|>assistant\n")
PY
settings=("plain:--speculate off" "lookup:--speculate on")
for k in "${ks[@]}"; do settings+=("draft$k:--speculate off --draft $draft --draft-tokens $k"); done
both=${BOTH_K:-${ks[0]}}
settings+=("lookup+draft$both:--speculate on --draft $draft --draft-tokens $both")
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "cromwell generate -m $model --load $load --special -t 2 -n $tokens SETTING -f EDIT"
for e in "$work"/edit*.txt; do
  for s in "${settings[@]}"; do
    name=${s%%:*}
    # shellcheck disable=SC2086
    "$root/bin/cromwell" generate -m "$model" --load "$load" --special -t 2 -n "$tokens" \
      ${s#*:} -f "$e" >"$e.$name.out" 2>"$e.$name.err"
  done
done
python3 - "$work" "${settings[@]}" <<'PY'
import re, sys, pathlib
w, names = pathlib.Path(sys.argv[1]), [s.split(":")[0] for s in sys.argv[2:]]
edits = sorted(w.glob("edit*.txt"))
def stats(path):
    s = path.read_text()
    m = re.search(r"prompt: (\d+) tokens \((\d+) reused\) ([\d.]+) tok/s \| generated: (\d+) tokens ([\d.]+) tok/s", s)
    if not m:
        sys.exit(f"no stats in {path}: {s[-400:]}")
    p, r, pps, g, gps = int(m[1]), int(m[2]), float(m[3]), int(m[4]), float(m[5])
    a = re.search(r"drafts: (\d+)/(\d+)", s)
    return (p - r) / pps + g / gps, g, (int(a[1]), int(a[2])) if a else (0, 0)
rows = {}
for n in names:
    t = g = acc = dr = 0
    same = True
    for e in edits:
        secs, gen, (a, d) = stats(pathlib.Path(f"{e}.{n}.err"))
        t += secs; g += gen; acc += a; dr += d
        same &= pathlib.Path(f"{e}.{n}.out").read_bytes() == pathlib.Path(f"{e}.plain.out").read_bytes()
    rows[n] = (t, g, acc, dr, same)
print(f"\n{len(edits)} edits (docstring and fix alternating), end to end = prompt + answer, loading excluded")
print("| setting | tokens | drafts accepted | seconds | × plain | × lookup | identical |")
print("|---|---|---|---|---|---|---|")
for n in names:
    t, g, acc, dr, same = rows[n]
    rate = f"{acc}/{dr} ({100*acc/dr:.0f}%)" if dr else "–"
    print(f"| {n} | {g} | {rate} | {t:.1f} | {rows['plain'][0]/t:.2f} | {rows['lookup'][0]/t:.2f} | {'yes' if same else 'NO'} |")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
