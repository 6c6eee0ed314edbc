"""The kernelspec installs under its own name and never silently replaces another kernel's."""

from __future__ import annotations

import json
import subprocess
import sys


def _install(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stata_kernel", "install", *args], capture_output=True, text=True)


def test_install_with_prefix_writes_stata_live_spec(tmp_path):
    result = _install("--prefix", str(tmp_path))
    assert result.returncode == 0, result.stderr
    spec_dir = tmp_path / "share" / "jupyter" / "kernels" / "stata-live"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"] == [sys.executable, "-m", "stata_kernel", "-f", "{connection_file}"]
    assert spec["interrupt_mode"] == "message"
    assert spec["display_name"] == "Stata (live)"
    assert (spec_dir / "logo-64x64.png").read_bytes().startswith(b"\x89PNG")


def test_install_refuses_to_overwrite_another_kernel_without_force(tmp_path):
    foreign = tmp_path / "share" / "jupyter" / "kernels" / "stata-live"
    foreign.mkdir(parents=True)
    (foreign / "kernel.json").write_text(json.dumps({"argv": ["other", "-f", "{connection_file}"],
                                                     "display_name": "Other", "language": "stata"}))
    refused = _install("--prefix", str(tmp_path))
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert json.loads((foreign / "kernel.json").read_text())["argv"][0] == "other"
    forced = _install("--prefix", str(tmp_path), "--force")
    assert forced.returncode == 0
    assert json.loads((foreign / "kernel.json").read_text())["argv"][1:3] == ["-m", "stata_kernel"]


def test_reinstalling_our_own_spec_needs_no_force(tmp_path):
    assert _install("--prefix", str(tmp_path)).returncode == 0
    assert _install("--prefix", str(tmp_path)).returncode == 0


def test_simulator_dir_command_prints_an_installation_path():
    out = subprocess.run([sys.executable, "-m", "stata_kernel", "simulator-dir"], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout.strip().endswith("simulated_stata")
