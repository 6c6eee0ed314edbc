#!/usr/bin/env bash
# The demo, from a fresh clone: an MCP client runs a long Stata script through the bridge on the
# SIMULATED Stata and prints every progress notification as it arrives, with timestamps.
# Extra arguments go to the demo client (e.g. --transport http).
source "$(dirname "$0")/_env.sh"
export STATA_DIR="${STATA_DIR:-$STATA_SIM_DIR}"
exec python -m mcp_bridge.demo "$@"
