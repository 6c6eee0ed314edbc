"""The benchmark command still works: its smoke mode runs every section briefly and checks the figures."""

from __future__ import annotations

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
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for section in ("Emitted piece", "Throughput", "Kernels", "MCP servers"):
        assert section in result.stdout, result.stdout[-3000:]
