"""Agent-facing tests: real bridge processes on the simulated Stata, seen through the official MCP client.

The bridge fixtures and helpers come from ``tests.bridge`` (imported, not copied).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bridge.conftest import bridge_env, do_file
from tests.bridge.helpers import HttpBridge

__all__ = ["bridge_env", "do_file"]


@pytest.fixture(scope="session")
def allowed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one directory the policy bridge lets agent code write to and run do-files from."""
    return tmp_path_factory.mktemp("allowed").resolve()


@pytest.fixture(scope="session")
def audit_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audit") / "audit.jsonl"


@pytest.fixture(scope="session")
def policy_bridge(bridge_env: dict[str, str], allowed_dir: Path, audit_path: Path) -> Iterator[HttpBridge]:
    """A bridge with the default policy on, one allowed directory and an audit log, shared by the tests."""
    bridge = HttpBridge("--allow-dir", str(allowed_dir), "--audit-log", str(audit_path), env=bridge_env)
    try:
        yield bridge
    finally:
        bridge.stop()
