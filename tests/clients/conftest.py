"""Real third-party MCP clients (npm packages) driving real bridge processes on the simulated Stata."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.bridge.conftest import bridge_env
from tests.bridge.helpers import ROOT

__all__ = ["Inspector", "bridge_env", "inspector"]


@dataclass(frozen=True)
class Inspector:
    """The MCP Inspector's CLI mode (``mcp-inspector --cli``), as installed by scripts/install_npm_tools.sh."""

    bin_dir: Path
    home: Path

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MCP_")}
        # Node 22 from npm (when the system's is older) comes first, as `npx` would find it; a throwaway
        # HOME keeps the Inspector's catalog and OAuth store out of the user's; never open a browser.
        env |= {"PATH": f"{self.bin_dir}{os.pathsep}{env.get('PATH', '')}", "HOME": str(self.home),
                "MCP_AUTO_OPEN_ENABLED": "false", "NO_COLOR": "1"}
        return subprocess.run([str(self.bin_dir / "mcp-inspector"), "--cli", *args], env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)

    def json(self, *args: str, expect_exit: int = 0) -> dict[str, Any]:
        """Run with ``--format json`` and return the parsed envelope (``{"result": ...}``)."""
        proc = self.run(*args, "--format", "json")
        assert proc.returncode == expect_exit, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def inspector(tmp_path_factory: pytest.TempPathFactory) -> Inspector:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed, so the MCP Inspector (an npm package) cannot be installed")
    tools = Path(os.environ.get("STATA_LIVE_NPM_TOOLS") or ROOT / ".npm-tools")
    # Usually done already by scripts/test.sh; a run of pytest alone installs it here (idempotent, locked).
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "install_npm_tools.sh")], capture_output=True,
                          text=True, timeout=900, env=dict(os.environ, STATA_LIVE_NPM_TOOLS=str(tools)))
    assert proc.returncode == 0, f"installing the MCP Inspector failed:\n{proc.stderr}"
    bin_dir = tools / "node_modules" / ".bin"
    assert (bin_dir / "mcp-inspector").exists(), proc.stderr
    return Inspector(bin_dir, tmp_path_factory.mktemp("inspector-home"))
