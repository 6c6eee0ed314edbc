#!/usr/bin/env bash
# Installs the npm tools the tests drive as real MCP clients into a project-local directory:
# the MCP Inspector (its CLI mode, `mcp-inspector --cli`), and Node 22 from npm when the `node` on PATH
# is older than the Inspector needs (>= 22.19). Only the npm registry is used; a second run is offline.
#
#   STATA_LIVE_NPM_TOOLS   where to install (default: .npm-tools in the repository; gitignored)
#   INSPECTOR_VERSION      the Inspector version (default: pinned below)
#
# Prints nothing on stdout. Without npm it says so and exits 0: the tests that need it then skip.
# Called by scripts/test.sh and by the tests' own fixture (tests/clients/conftest.py).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${STATA_LIVE_NPM_TOOLS:-$ROOT/.npm-tools}"
INSPECTOR_VERSION="${INSPECTOR_VERSION:-2.12.0}"
NODE_MIN=22.19

if ! command -v npm >/dev/null; then
    echo "[npm-tools] npm is not installed: the MCP Inspector tests will be skipped" >&2
    exit 0
fi

node_ok() {  # is this node at least NODE_MIN?
    "$1" -e "const [a,b]=process.versions.node.split('.').map(Number),[x,y]='$NODE_MIN'.split('.').map(Number);
             process.exit(a>x||(a===x&&b>=y)?0:1)" 2>/dev/null
}

mkdir -p "$DIR"
# Test runs may start in parallel (pytest sessions of several people): one npm install at a time.
exec 9>"$DIR/.lock"
command -v flock >/dev/null && flock 9

need_node=""
if ! command -v node >/dev/null || ! node_ok node; then
    need_node="node@22"
fi
STAMP="$DIR/.installed-inspector-$INSPECTOR_VERSION${need_node:+-$need_node}"
if [ -f "$STAMP" ] && [ -x "$DIR/node_modules/.bin/mcp-inspector" ]; then
    exit 0
fi
echo "[npm-tools] installing @modelcontextprotocol/inspector@$INSPECTOR_VERSION${need_node:+ and $need_node}" \
     "into $DIR" >&2
npm install --silent --no-audit --no-fund --prefix "$DIR" \
    "@modelcontextprotocol/inspector@$INSPECTOR_VERSION" $need_node >&2
if [ -n "$need_node" ] && ! node_ok "$DIR/node_modules/.bin/node"; then
    echo "[npm-tools] the node installed from npm is older than $NODE_MIN" >&2
    exit 1
fi
rm -f "$DIR"/.installed-inspector-*
touch "$STAMP"
