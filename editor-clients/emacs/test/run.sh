#!/usr/bin/env bash
# Runs the Emacs package's ERT tests in batch Emacs (eglot and lsp-mode) against the real server
# and SmolLM2.   editor-clients/emacs/test/run.sh [EMACS] [TEST-SELECTOR]
# EMACS: the binary, e.g. emacs-30.1 (default: emacs); TEST-SELECTOR: an ERT selector, e.g. '"eglot"'.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
emacs=${1:-emacs}
# The server under test serves in its own process, never through (or leaving) a shared daemon.
export CROMWELL_DAEMON=${CROMWELL_DAEMON:-off}
selector=${2:-t}
model=$("$root/editor-clients/test-model.sh")
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
# A clean HOME and -q: no user init, no saved lsp-mode session; Debian's site files activate
# elpa-eglot and elpa-lsp-mode; an Emacs with eglot built in (29+) tests its own (builtin-first.el).
HOME=$home CROMWELL_TEST_MODEL="$model" timeout 900 "$emacs" --batch -q \
  --eval "(package-initialize)" \
  -l "$here/test/builtin-first.el" \
  -L "$here" -L "$here/test" -l cromwell-test \
  --eval "(setq cromwell-command (list \"$root/bin/cromwell\" \"lsp\"))" \
  --eval "(ert-run-tests-batch-and-exit '$selector)"
