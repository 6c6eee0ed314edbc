"""Where things are: the repository, the scratch directory, the code under test."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRATCH = REPO / ".bench"
BENCH = REPO / "bench"
RESULTS_JSON = BENCH / "results.json"
RESULTS_MD = BENCH / "RESULTS.md"
PYTHON = sys.executable  # the project's venv interpreter (runs our kernel, bridge and references)


def head_commit() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], check=True, capture_output=True, text=True,
                          cwd=REPO).stdout.strip()


def snapshot(commit: str) -> Path:
    """The committed tree at ``commit`` exported under .bench/ (others may be mid-edit in the checkout)."""
    target = SCRATCH / f"tree-{commit[:12]}"
    for old in SCRATCH.glob("tree-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    if not (target / ".complete").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", commit], check=True, capture_output=True, cwd=REPO).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        (target / ".complete").write_text(commit)
    return target


def simulator_dir(code_root: Path) -> str:
    return str(code_root / "stata_kernel" / "simulated_stata")
