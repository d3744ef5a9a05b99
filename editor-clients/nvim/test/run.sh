#!/usr/bin/env bash
# Runs the Neovim plugin's headless tests, each in its own real Neovim, against the real server and
# SmolLM2: ghost_and_edit.lua (ghost text, :CromwellEdit, the code actions) and unnamed_buffer.lua
# (a buffer with no file name shares the server already running).
#   editor-clients/nvim/test/run.sh [NVIM]   (default: nvim on PATH; bin/test runs 0.7.2 and 0.12-dev)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
nvim=${1:-nvim}
# The server under test serves in its own process, never through (or leaving) a shared daemon.
export CROMWELL_DAEMON=${CROMWELL_DAEMON:-off}
model=$("$root/editor-clients/test-model.sh")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for test in ghost_and_edit unnamed_buffer; do
  echo "== $test.lua"
  mkdir "$dir/$test"
  CROMWELL_BIN="$root/bin/cromwell" CROMWELL_TEST_MODEL="$model" CROMWELL_TEST_DIR="$dir/$test" \
    timeout 600 "$nvim" --headless -u NONE -i NONE -n --cmd "set rtp^=$here" \
    -c "luafile $here/test/$test.lua"
done
