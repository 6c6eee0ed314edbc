# Sourced by scripts/*.sh: make sure .venv exists with the project (editable) and the test extras,
# and that the stata-live kernelspec is installed inside the venv. Safe to run repeatedly.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] creating $VENV" >&2
    "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.stata-live-installed"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
    echo "[setup] installing stata-live and its test dependencies into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
    "$VENV/bin/python" -m pip install --quiet -e "$ROOT[test]" >&2
    "$VENV/bin/python" -m stata_kernel install --sys-prefix >&2
    touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
export STATA_SIM_DIR="$("$VENV/bin/python" -m stata_kernel simulator-dir)"
cd "$ROOT"
