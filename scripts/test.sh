#!/usr/bin/env bash
# The whole test suite, from a fresh clone: creates .venv, installs everything, lints, runs pytest.
source "$(dirname "$0")/_env.sh"
echo "[test] ruff" >&2
ruff check .
echo "[test] pytest" >&2
exec python -m pytest "$@"
