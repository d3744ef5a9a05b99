#!/usr/bin/env bash
# Issue 23: why `--load mmap` decoded slower than `--load copy`, and the fix (HugeFilePages).
# One run, interleaved (before, after, copy; ROUNDS times, default 2), `cromwell bench -p 512 -n 128 -r 1 -t 2`:
#   before: the built jar with BASE_REV's GgufFile (plain mapping) on a page cache that holds the
#           file in small folios (the file just written, as after a download or copy);
#   after:  the built jar (madvise HUGEPAGE + populate; small folios dropped and re-read once);
#   copy:   the built jar with --load copy.
# Prints pp512, tg128 and start+load time per run, and how much of the file the kernel maps with 2 MiB
# pages in each state (FilePmdMapped of a python mmap of the file), and the wall time of starting
# and loading alone (a bench of 0 tokens). Works on a private
# copy of the model (in TMPDIR) so other users' page cache is not touched.
#   benchmarks/mmap-pages.sh [MODEL [BASE_REV]]      (after bin/build)
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
model=${1:-/work/models/qwen2.5-coder-1.5b-instruct.gguf}
base=${2:-b6b0d1e}
java=$("$root/bin/find-java" java)
jdk=$("$root/bin/find-java" home)
opts=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC
  -XX:MaxNewSize=256m)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
after="$root/lsp-server/target/cromwell.jar"
before="$work/before.jar"
mkdir -p "$work/old"
git -C "$root" show "$base:engine/src/main/java/dev/cromwell/engine/gguf/GgufFile.java" \
  >"$work/GgufFile.java"
"$jdk/bin/javac" -nowarn -cp "$after" -d "$work/old" "$work/GgufFile.java"
cp "$after" "$before"
(cd "$work/old" && "$jdk/bin/jar" uf "$before" dev/cromwell/engine/gguf/GgufFile*.class)
file="$work/$(basename "$model")"
cp "$model" "$file"
sync "$file"

# state small|show: with small, write the file anew (as a download or copy does: on this kernel a
# read, through read() or a plain mapping, fills the page cache with 2 MiB folios, while written
# pages stay in the small folios they were written in); print how much of it a plain mapping gets
# in 2 MiB pages.
state() {
  if [ "$1" = small ]; then cp "$file" "$file.new" && mv "$file.new" "$file" && sync "$file"; fi
  python3 - "$file" "$1" <<'PY'
import mmap, os, re, sys
path, action = sys.argv[1], sys.argv[2]
fd = os.open(path, os.O_RDONLY)
size = os.fstat(fd).st_size
m = mmap.mmap(fd, size, prot=mmap.PROT_READ)
m.madvise(22)  # MADV_POPULATE_READ
for block in open("/proc/self/smaps").read().split(path)[1:2]:
    pmd = int(re.search(r"FilePmdMapped:\s+(\d+)", block).group(1)) * 1024
    print(f"{100 * pmd / size:.0f}% of the file in 2 MiB pages")
PY
}
bench() {
  # Start and load alone first (a bench of 0 tokens), so "after" shows the one-time re-read of a
  # file cached in small folios; then pp512 and tg128.
  local t0 ms
  t0=$(date +%s%N)
  "$java" "${opts[@]}" -jar "$1" bench -m "$file" -p 0 -n 0 -r 1 --load "$2" >/dev/null 2>&1
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  "$java" "${opts[@]}" -jar "$1" bench -m "$file" -p 512 -n 128 -r 1 -t 2 --load "$2" --json \
    2> >(grep -v incubator >&2) | python3 -c '
import json, sys
j = json.load(sys.stdin)
print("pp512 %.1f | tg128 %.1f | start+load %s ms" % (j["pp512"]["mean"], j["tg128"]["mean"], sys.argv[1]))' "$ms"
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); $(basename "$model"), 2 threads"
for i in $(seq "${ROUNDS:-2}"); do
  echo "before (cache: $(state small)): $(bench "$before" mmap)"
  echo "after: $(bench "$after" mmap) (cache now: $(state show))"
  echo "copy: $(bench "$after" copy)"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
