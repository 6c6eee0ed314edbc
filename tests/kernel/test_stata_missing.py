"""Without a usable Stata the kernel starts anyway and every execution explains why."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests import harness
from tests.harness import execute


def test_not_found_names_every_place_searched(kernels_dir, tmp_path):
    env = harness.kernel_env(str(tmp_path / "no-stata-here"), tmp_path)
    km, kc = harness.start_kernel(kernels_dir, env)
    try:
        for _ in range(2):  # every execution, not only the first
            run = execute(kc, "display 1")
            assert run.status == "error"
            content = run.reply["content"]
            assert content["ename"] == "StataNotFound"
            assert "STATA_DIR" in content["evalue"]
            assert str(tmp_path / "no-stata-here") in content["evalue"]
            assert "config file" in content["evalue"]
            assert "default location" in content["evalue"]
            assert len(run.of_type("error")) == 1
        assert km.is_alive()
    finally:
        harness.stop_kernel(km, kc)


def test_failed_initialisation_reports_stata_message(kernels_dir, sim_dir, tmp_path):
    broken = tmp_path / "stata"
    shutil.copytree(sim_dir, broken, symlinks=True)
    for lib in broken.glob("libstata*"):
        lib.unlink()
    env = harness.kernel_env(str(broken), tmp_path, STATA_EDITION="mp")
    km, kc = harness.start_kernel(kernels_dir, env)
    try:
        run = execute(kc, "display 1")
        assert run.status == "error"
        assert run.reply["content"]["ename"] == "StataInitError"
        assert str(broken) in run.reply["content"]["evalue"]
        assert km.is_alive()
    finally:
        harness.stop_kernel(km, kc)


def test_simulator_is_never_a_silent_fallback(kernels_dir, tmp_path):
    env = harness.kernel_env(None, tmp_path)
    km, kc = harness.start_kernel(kernels_dir, env)
    try:
        kc.kernel_info()
        banner = kc.get_shell_msg(timeout=10)["content"]["banner"]
        assert "SIMULATED" not in banner
        run = execute(kc, "display 1")
        # Unless this machine has a real Stata in a default location, nothing runs.
        if not any(Path(p).exists() for p in ("/usr/local/stata18", "/usr/local/stata17", "/usr/local/stata19")):
            assert run.status == "error"
    finally:
        harness.stop_kernel(km, kc)


def _copy(sim_dir: str, tmp_path: Path) -> Path:
    copy = tmp_path / "stata"
    shutil.copytree(sim_dir, copy, symlinks=True)
    return copy


def test_a_python_newer_than_the_release_supports_is_refused_before_stata_loads(kernels_dir, sim_dir, tmp_path):
    old = _copy(sim_dir, tmp_path)
    (old / "isstata.160").write_text("")  # Stata 16: Python up to 3.9 (engine/releases.py)
    km, kc = harness.start_kernel(kernels_dir, harness.kernel_env(str(old), tmp_path))
    try:
        run = execute(kc, "display 1")
        content = run.reply["content"]
        assert run.status == "error" and content["ename"] == "StataInitError"
        assert "Stata 16 supports Python up to 3.9" in content["evalue"]
        assert "STATA_LIVE_PYTHON_CHECK=off" in content["evalue"]
    finally:
        harness.stop_kernel(km, kc)


def test_the_python_check_can_be_switched_off(kernels_dir, sim_dir, tmp_path):
    old = _copy(sim_dir, tmp_path)
    (old / "isstata.160").write_text("")
    env = harness.kernel_env(str(old), tmp_path, STATA_LIVE_PYTHON_CHECK="off")
    km, kc = harness.start_kernel(kernels_dir, env)
    try:
        assert execute(kc, "display 6*7").text.strip() == "42"
    finally:
        harness.stop_kernel(km, kc)


def test_python_integration_that_did_not_start_is_reported_with_stata_s_message(kernels_dir, sim_dir, tmp_path):
    env = harness.kernel_env(sim_dir, tmp_path, SIMSTATA_INIT_RC="-7100")
    km, kc = harness.start_kernel(kernels_dir, env)
    try:
        for _ in range(2):
            run = execute(kc, "display 1")
            content = run.reply["content"]
            assert run.status == "error" and content["ename"] == "StataInitError"
            assert "sfiinitialized is False" in content["evalue"] and "Stata said:" in content["evalue"]
        assert km.is_alive()
    finally:
        harness.stop_kernel(km, kc)
