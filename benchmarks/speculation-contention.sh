#!/usr/bin/env bash
# Issue 23's two measurements, each from one run so the ratios compare:
#  (a) prompt-lookup speculation against plain greedy decoding on an edit-like prompt (add
#      docstrings to a real file, answer with the whole code): tokens/s, acceptance, and whether
#      the two outputs are identical (`cromwell generate --speculate on|off`);
#  (b) decode at 2 threads before/after the WorkerPool change, alone and beside `stress-ng --cpu 1`,
#      and at 1 thread alone (`cromwell bench -t T -p 16 -n 64 -r 2`), and llama.cpp's decode on the
#      same file under the same load (`llama-bench -m FILE -t T -p 0 -n 64 -r 2`), when found.
#   benchmarks/speculation-contention.sh [BASE_REV [MODEL...]]   (after bin/build)
#   env: LLAMA_BENCH (llama-bench; default /work/llama.cpp/build/bin/llama-bench, else PATH);
#        PARTS (default "a b": run only (b) with PARTS=b)
# "before" is the built jar with BASE_REV's WorkerPool (default: 7a448f6, the pool that spun)
# compiled and swapped in, so the two differ in that class only; "after" is the built jar.
# Speed means nothing on a busy machine: the script prints the 1-minute load first.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
base=${1:-7a448f6}
shift || true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(smollm2-135m-instruct qwen2.5-coder-0.5b-instruct)
java=$("$root/bin/find-java" java)
jdk=$("$root/bin/find-java" home)
opts=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC
  -XX:MaxNewSize=256m)
work=$(mktemp -d)
stress=
trap '[ -n "$stress" ] && kill "$stress" 2>/dev/null; rm -rf "$work"' EXIT
after="$root/lsp-server/target/cromwell.jar"
before="$work/before.jar"
mkdir -p "$work/old"
git -C "$root" show "$base:kernels/src/main/java/dev/cromwell/kernels/WorkerPool.java" \
  >"$work/WorkerPool.java"
"$jdk/bin/javac" -d "$work/old" "$work/WorkerPool.java"
cp "$after" "$before"
(cd "$work/old" && "$jdk/bin/jar" uf "$before" dev/cromwell/kernels/WorkerPool*.class)
cromwell() { local jar=$1; shift; "$java" "${opts[@]}" -jar "$jar" "$@" 2> >(grep -v 'incubator' >&2); }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
code=$(cat "$root/training/cromwell_train/config.py")
prompt=$(printf '<|im_start|>user\nAdd a docstring to every function and class. Answer with the whole file.\n```python\n%s\n```<|im_end|>\n<|im_start|>assistant\n' "$code")

parts=${PARTS:-a b}
llama=${LLAMA_BENCH:-/work/llama.cpp/build/bin/llama-bench}
[ -x "$llama" ] || llama=$(command -v llama-bench || true)
# A catalogue name is a file in the model store; llama-bench needs the file.
model_file() {
  if [ -f "$1" ]; then echo "$1"; else
    echo "${CROMWELL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/cromwell}/models/$1.gguf"; fi
}

if [[ $parts == *a* ]]; then
echo
echo "## (a) speculation: cromwell generate -m MODEL --special -t 2 -n 256 --speculate off|on -p EDIT"
echo "| model | plain tok/s | lookup tok/s | speedup | drafts accepted | identical |"
echo "|---|---|---|---|---|---|"
for m in "${models[@]}"; do
  for s in off on; do
    cromwell "$after" generate -m "$m" --special -t 2 -n 256 --speculate "$s" -p "$prompt" \
      >"$work/$s.out" 2>"$work/$s.err"
  done
  python3 - "$m" "$work" <<'PY'
import re, sys, pathlib
m, w = sys.argv[1], pathlib.Path(sys.argv[2])
def tps(s): return float(re.search(r"generated: \d+ tokens ([\d.]+) tok/s", s).group(1))
off, on = (w / "off.err").read_text(), (w / "on.err").read_text()
acc = re.search(r"drafts: (\d+)/(\d+) accepted \((\d+)%\)", on)
same = (w / "off.out").read_bytes() == (w / "on.out").read_bytes()
print(f"| {m} | {tps(off):.1f} | {tps(on):.1f} | {tps(on)/tps(off):.2f}× | "
      f"{acc.group(1)}/{acc.group(2)} ({acc.group(3)}%) | {'yes' if same else 'NO'} |")
PY
done
fi

[[ $parts == *b* ]] || exit 0
command -v stress-ng >/dev/null || {
  echo "speculation-contention: part (b) needs stress-ng for the busy core: apt-get install stress-ng" >&2
  exit 2
}
echo
echo "## (b) contention: cromwell bench -m MODEL -t T -p 16 -n 64 -r 2 (tg64, tokens/s)"
echo "| model | pool | t1 alone | t2 alone | t2 + stress-ng --cpu 1 | busy t2 ÷ idle t1 | busy t2 ÷ idle t2 |"
echo "|---|---|---|---|---|---|---|"
tg() { cromwell "$1" bench -m "$2" -t "$3" -p 16 -n 64 -r 2 --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["tg64"]["mean"])'; }
for m in "${models[@]}"; do
  for which in before after; do
    jar=$before; [ $which = after ] && jar=$after
    t1=$(tg "$jar" "$m" 1)
    t2=$(tg "$jar" "$m" 2)
    stress-ng --cpu 1 --quiet & stress=$!
    sleep 1
    busy=$(tg "$jar" "$m" 2)
    kill "$stress"; wait "$stress" 2>/dev/null || true; stress=
    python3 -c "
t1, t2, b = $t1, $t2, $busy
print(f'| $m | $which | {t1:.1f} | {t2:.1f} | {b:.1f} | {b/t1:.2f} | {b/t2:.2f} |')"
  done
  if [ -n "$llama" ]; then
    ltg() { "$llama" -m "$(model_file "$1")" -t "$2" -p 0 -n 64 -r 2 -o json 2>/dev/null |
      python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["avg_ts"])'; }
    t1=$(ltg "$m" 1)
    t2=$(ltg "$m" 2)
    stress-ng --cpu 1 --quiet & stress=$!
    sleep 1
    busy=$(ltg "$m" 2)
    kill "$stress"; wait "$stress" 2>/dev/null || true; stress=
    python3 -c "
t1, t2, b = $t1, $t2, $busy
print(f'| $m | llama.cpp | {t1:.1f} | {t2:.1f} | {b:.1f} | {b/t1:.2f} | {b/t2:.2f} |')"
  else
    echo "(llama-bench not found: set LLAMA_BENCH for llama.cpp's row)"
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
