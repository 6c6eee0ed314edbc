"""The benchmark command still works: its smoke mode runs every section briefly and checks the figures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_bench_smoke_mode_runs_every_section_and_passes(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bench", "--smoke"], cwd=ROOT, capture_output=True,
                            text=True, timeout=170)
    assert result.returncode == 0, (_tracebacks(result.stderr) + _error_lines(result.stderr) + result.stdout[-3000:]
                                    + result.stderr[-3000:])
    for section in ("Emitted piece", "Throughput", "Kernels", "MCP servers"):
        assert section in result.stdout, result.stdout[-3000:]


def _tracebacks(stderr: str, limit: int = 6) -> str:
    """Every traceback on stderr (the bench's servers write theirs there too), wherever it was in the output:
    a failure's cause is often far from the end."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in stderr.splitlines():
        if line.startswith("Traceback") or "Traceback (most recent call last)" in line:
            current = [line]
            blocks.append(current)
        elif current is not None:
            current.append(line)
            if line and not line.startswith((" ", "\t")):  # the exception line ends the block
                current = None
    shown = ["\n".join(block[-40:]) for block in blocks[:limit]]
    return ("tracebacks on stderr:\n" + "\n\n".join(shown) + "\n\n") if shown else ""


_ERROR_LINE = re.compile(r"^\S+: error: | (?:ERROR|CRITICAL) ")


def _error_lines(stderr: str, limit: int = 20) -> str:
    """Errors the bench's servers report without a traceback: a command line refused (argparse's
    ``prog: error: ...``, exit 2) or a logged ERROR. A server that exits at once shows only as the client's
    "Connection closed"."""
    found = [line for line in stderr.splitlines() if _ERROR_LINE.search(line)][:limit]
    return ("errors on stderr:\n" + "\n".join(found) + "\n\n") if found else ""
