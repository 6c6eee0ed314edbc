# Sourced by scripts/*.sh: make sure the venv exists with the project (editable) installed, and that the
# stata-live kernelspec is installed inside the venv. Safe to run repeatedly.
#   STATA_LIVE_EXTRAS  extras to install as well: scripts/test.sh sets "test" (JupyterLab, Playwright,
#                      pytest...); the demo and the conformance script need none.
#   STATA_LIVE_VENV    the venv to use (default: .venv in the repository).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${STATA_LIVE_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
EXTRAS="${STATA_LIVE_EXTRAS:-}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] creating $VENV" >&2
    "$PY" -m venv "$VENV"
fi
# One stamp per flavour, so a venv the demo made (no extras) is upgraded by the test command, and a
# venv with the test extras also counts as set up for the demo.
BASE_STAMP="$VENV/.stata-live-installed"
STAMP="$BASE_STAMP${EXTRAS:+-$EXTRAS}"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
    echo "[setup] installing stata-live${EXTRAS:+ with its [$EXTRAS] extras} into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
    "$VENV/bin/python" -m pip install --quiet -e "$ROOT${EXTRAS:+[$EXTRAS]}" >&2
    "$VENV/bin/python" -m stata_kernel install --sys-prefix >&2
    touch "$STAMP" "$BASE_STAMP"
fi
export PATH="$VENV/bin:$PATH"
export STATA_SIM_DIR="$("$VENV/bin/python" -m stata_kernel simulator-dir)"
cd "$ROOT"
