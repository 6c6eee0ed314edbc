#!/usr/bin/env bash
# The whole test suite, from a fresh clone: creates .venv, installs the project with its test extras,
# installs the npm tools driven as real MCP clients (MCP Inspector), lints, type-checks, runs pytest.
STATA_LIVE_EXTRAS=test
source "$(dirname "$0")/_env.sh"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    # Frontend tests drive real jupyter console (tmux) and JupyterLab (Debian's chromium).
    bash scripts/install_frontend_deps.sh >&2
fi
bash scripts/install_npm_tools.sh
echo "[test] ruff" >&2
ruff check .
echo "[test] mypy" >&2
mypy
echo "[test] pytest" >&2
exec python -m pytest "$@"
