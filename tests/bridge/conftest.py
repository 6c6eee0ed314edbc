"""Bridge tests run real bridge processes on the real stata-live kernel and the simulated Stata."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import ROOT, HttpBridge, simulator_env

HEARTBEAT = "0.5"  # shortened so heartbeat tests stay short


@pytest.fixture(scope="session")
def bridge_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Simulated Stata, and the repository's kernelspec first on JUPYTER_PATH (installed or not)."""
    env = simulator_env()
    data = tmp_path_factory.mktemp("jupyter")
    shutil.copytree(ROOT / "stata_kernel" / "kernelspec", data / "kernels" / "stata-live")
    env["JUPYTER_PATH"] = str(data)
    return env


@pytest.fixture(scope="session")
def http_bridge(bridge_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpBridge]:
    """One Streamable HTTP bridge shared by the tests that leave no state behind."""
    # Tests' do-files live under pytest's temporary directory: allow it (agent policy, mcp_bridge.policy).
    allow = ("--allow-dir", str(tmp_path_factory.getbasetemp()))
    bridge = HttpBridge("--heartbeat", HEARTBEAT, *allow, env=bridge_env, transport="http")
    try:
        yield bridge
    finally:
        bridge.stop()


@pytest.fixture(scope="session")
def sse_bridge(bridge_env: dict[str, str]) -> Iterator[HttpBridge]:
    bridge = HttpBridge("--heartbeat", HEARTBEAT, env=bridge_env, transport="sse")
    try:
        yield bridge
    finally:
        bridge.stop()


@pytest.fixture
def do_file(tmp_path: Path) -> Path:
    path = tmp_path / "script.do"
    path.write_text('display "from the do-file"\n')
    return path
