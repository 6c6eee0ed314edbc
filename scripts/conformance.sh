#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance, npm) against the bridge's
# Streamable HTTP server on the simulated Stata.
#
#   scripts/conformance.sh          the scenarios that apply to this server (exit 1 if one fails)
#   scripts/conformance.sh --all    also every other server scenario of the active suite, for information
#
# The suite needs Node >= 22. When the `node` on PATH is older, Node 22 and the suite are installed with
# npm into $STATA_LIVE_NODE_PREFIX (default ~/.cache/stata-live/node22) and reused from there.
# Results (one checks.json per scenario) go to $CONFORMANCE_OUT (default: a new temporary directory).
# Not part of the test suite: the first run downloads Node and the suite from npm.
source "$(dirname "$0")/_env.sh"

# Scenarios that test generic protocol behaviour this bridge implements. The others exercise fixture
# tools/resources/prompts of the suite's reference server (test_simple_text, test://static-text,
# test_reconnection...) or capabilities the bridge does not offer (logging, completion, sampling,
# elicitation, subscriptions); docs/reliability.md lists them and why.
APPLICABLE=(server-initialize ping tools-list resources-list prompts-list server-sse-multiple-streams
            dns-rebinding-protection)
CONFORMANCE_VERSION="${CONFORMANCE_VERSION:-0.1.16}"
PREFIX="${STATA_LIVE_NODE_PREFIX:-$HOME/.cache/stata-live/node22}"
OUT="${CONFORMANCE_OUT:-$(mktemp -d -t stata-live-conformance.XXXXXX)}"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

NODE=node
if ! command -v node >/dev/null || [ "$(node_major node)" -lt 22 ]; then
    NODE="$PREFIX/node_modules/.bin/node"
    if [ ! -x "$NODE" ] || [ "$(node_major "$NODE")" -lt 22 ]; then
        echo "[conformance] installing Node 22 into $PREFIX (npm package 'node')" >&2
        npm install --silent --no-audit --no-fund --prefix "$PREFIX" node@22 >&2
    fi
fi
SUITE="$PREFIX/node_modules/@modelcontextprotocol/conformance/dist/index.js"
if [ ! -f "$SUITE" ]; then
    echo "[conformance] installing @modelcontextprotocol/conformance@$CONFORMANCE_VERSION into $PREFIX" >&2
    npm install --silent --no-audit --no-fund --prefix "$PREFIX" "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" >&2
fi
echo "[conformance] node $("$NODE" --version), suite $CONFORMANCE_VERSION" >&2

LOG="$(mktemp)"
STATA_DIR="$STATA_SIM_DIR" python -m mcp_bridge --transport http --port 0 2>"$LOG" &
BRIDGE=$!
cleanup() { kill "$BRIDGE" 2>/dev/null || true; wait "$BRIDGE" 2>/dev/null || true; rm -f "$LOG"; }
trap cleanup EXIT
URL=""
for _ in $(seq 1 600); do
    URL="$(sed -n 's/^stata-live-mcp listening on \(http[^ ]*\).*/\1/p' "$LOG" | head -1)"
    [ -n "$URL" ] && break
    kill -0 "$BRIDGE" 2>/dev/null || { cat "$LOG" >&2; exit 2; }
    sleep 0.1
done
[ -n "$URL" ] || { echo "[conformance] the bridge did not start" >&2; cat "$LOG" >&2; exit 2; }
echo "[conformance] bridge at $URL" >&2

mkdir -p "$OUT"
failed=()
for scenario in "${APPLICABLE[@]}"; do
    if "$NODE" "$SUITE" server --url "$URL" --scenario "$scenario" -o "$OUT/applicable" >"$OUT/$scenario.txt" 2>&1; then
        echo "PASS $scenario"
    else
        echo "FAIL $scenario (see $OUT/$scenario.txt)"
        failed+=("$scenario")
    fi
done
if [ "${1:-}" = "--all" ]; then
    echo "[conformance] whole active suite (most scenarios need the reference server's fixtures):" >&2
    "$NODE" "$SUITE" server --url "$URL" -o "$OUT/all" 2>&1 | sed -n '/=== SUMMARY ===/,$p' || true
fi
echo "[conformance] ${#APPLICABLE[@]} applicable scenarios, ${#failed[@]} failed; results in $OUT" >&2
[ "${#failed[@]}" -eq 0 ]
