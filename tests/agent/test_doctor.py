"""``python -m mcp_bridge doctor`` on a good setup (simulated Stata) and on a broken one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.bridge.helpers import ROOT


def _doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mcp_bridge", "doctor", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=150)


def test_doctor_passes_on_the_simulated_stata(bridge_env: dict[str, str]) -> None:
    proc = _doctor(bridge_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "SIMULATED Stata" in out
    for check in ("Stata installation", "kernelspec 'stata-live'", "kernel start", "round trip", "streaming"):
        assert f"[ ok ] {check}" in out, out
    assert "All checks passed." in out


def test_doctor_fails_naming_the_fix_when_stata_dir_points_nowhere(
    bridge_env: dict[str, str], tmp_path: Path
) -> None:
    env = dict(bridge_env, STATA_DIR=str(tmp_path / "nowhere"), HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / ".config"))
    proc = _doctor(env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "[FAIL] Stata installation" in out
    assert f"{tmp_path / 'nowhere'} (STATA_DIR environment variable)" in out
    assert "fix: set STATA_DIR" in out
    assert "[skip]" in out


def test_doctor_names_a_missing_kernelspec(bridge_env: dict[str, str], tmp_path: Path) -> None:
    proc = _doctor(bridge_env, "--kernel-name", "no-such-kernel")
    assert proc.returncode == 1
    assert "[FAIL] kernelspec 'no-such-kernel': not installed" in proc.stdout
    assert "-m stata_kernel install" in proc.stdout


def test_doctor_reports_a_kernel_that_dies_at_start(bridge_env: dict[str, str], tmp_path: Path) -> None:
    spec = tmp_path / "kernels" / "broken"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", "raise SystemExit(3)", "{connection_file}"],
        "display_name": "broken", "language": "stata",
    }))
    env = dict(bridge_env, JUPYTER_PATH=str(tmp_path))
    proc = _doctor(env, "--kernel-name", "broken")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "[ ok ] bridge over stdio" in proc.stdout
    assert "[FAIL] kernel start" in proc.stdout and "did not become ready" in proc.stdout, proc.stdout
    assert "[skip] round trip" in proc.stdout
