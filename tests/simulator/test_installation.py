"""The simulated installation is laid out and discovered like a real Stata."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Scenario

EDITIONS = [("stata-mp", "libstata-mp.so"), ("stata-se", "libstata-se.so"), ("stata", "libstata.so")]


@pytest.mark.parametrize(("exe", "lib"), EDITIONS)
def test_edition_executable_runs_and_says_it_is_simulated(sim_dir: Path, exe: str, lib: str) -> None:
    path = sim_dir / exe
    assert os.access(path, os.X_OK)
    proc = subprocess.run([str(path)], capture_output=True, text=True, timeout=10)
    assert proc.returncode == 0
    assert "SIMULATED" in proc.stdout


@pytest.mark.parametrize(("exe", "lib"), EDITIONS)
def test_edition_library_marker_says_simulated(sim_dir: Path, exe: str, lib: str) -> None:
    assert "simulated" in (sim_dir / lib).read_text().lower()


def test_notice_file_documents_flood_and_emit_log(sim_dir: Path) -> None:
    text = (sim_dir / "SIMULATED.txt").read_text()
    assert "NOT Stata" in text
    assert "_sim_flood" in text and "SIMSTATA_EMIT_LOG" in text


def test_pystata_and_sfi_come_from_utilities_only(scenario: Scenario, sim_dir: Path) -> None:
    out = scenario(
        """
        import pystata
        RESULT["pystata"] = pystata.__file__
        RESULT["sfi"] = sfi.__file__
        RESULT["version"] = pystata.__version__
        RESULT["project_imported"] = any(m.startswith("stata_kernel") for m in sys.modules)
        """
    )
    utilities = str(sim_dir / "utilities")
    assert out.result["pystata"].startswith(utilities)
    assert out.result["sfi"].startswith(utilities)
    assert out.result["version"]
    assert out.result["project_imported"] is False


@pytest.mark.parametrize("edition", ["mp", "se", "be"])
def test_init_sets_edition_and_library_path(scenario: Scenario, sim_dir: Path, edition: str) -> None:
    out = scenario(
        """
        RESULT["edition"] = config.stedition
        RESULT["lib"] = config.stlibpath
        RESULT["init"] = [config.stinitialized, config.sfiinitialized, config.is_stata_initialized()]
        RESULT["outputf"] = config.stoutputf is None
        RESULT["sysdir"] = os.environ["SYSDIR_STATA"]
        """,
        env={"SIM_EDITION": edition},
    )
    assert out.result["edition"] == edition.upper()
    assert out.result["lib"] == str(sim_dir / dict(mp="libstata-mp.so", se="libstata-se.so", be="libstata.so")[edition])
    assert out.result["init"] == [True, True, True]
    assert out.result["outputf"] is True
    assert out.result["sysdir"] == str(sim_dir)


def _copy_install(sim_dir: Path, dest: Path) -> Path:
    target = dest / "stata"
    shutil.copytree(sim_dir, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_init_raises_file_not_found_when_edition_library_is_missing(
    scenario: Scenario, sim_dir: Path, tmp_path: Path
) -> None:
    broken = _copy_install(sim_dir, tmp_path)
    (broken / "libstata-se.so").unlink()
    out = scenario(
        """
        from pystata import config
        try:
            config.init("se", splash=False)
        except FileNotFoundError as exc:
            RESULT["error"] = str(exc)
        RESULT["initialized"] = config.is_stata_initialized()
        """,
        env={"SIM_NO_INIT": "1"},
        sim_dir=broken,
    )
    assert "cannot find the shared library" in out.result["error"]
    assert out.result["initialized"] is False


def test_init_rejects_a_library_that_is_not_the_simulator_marker(
    scenario: Scenario, sim_dir: Path, tmp_path: Path
) -> None:
    broken = _copy_install(sim_dir, tmp_path)
    (broken / "libstata-mp.so").write_bytes(b"\x7fELF not a marker")
    out = scenario(
        """
        from pystata import config
        try:
            config.init("mp", splash=False)
        except SystemError as exc:
            RESULT["error"] = str(exc)
        """,
        env={"SIM_NO_INIT": "1"},
        sim_dir=broken,
    )
    assert out.result["error"] == "failed to load Stata's shared library"


def test_unknown_edition_is_a_value_error(scenario: Scenario) -> None:
    out = scenario(
        """
        from pystata import config
        try:
            config.init("xx", splash=False)
        except ValueError as exc:
            RESULT["error"] = str(exc)
        """,
        env={"SIM_NO_INIT": "1"},
    )
    assert "mp" in out.result["error"]


def test_splash_banner_says_it_is_simulated(scenario: Scenario) -> None:
    out = scenario(
        """
        from pystata import config
        config.init("mp")
        """,
        env={"SIM_NO_INIT": "1"},
    )
    assert "SIMULATED Stata 18.0 (MP)" in out.stdout
    assert "not a real Stata" in out.stdout


def test_second_init_is_a_no_op(scenario: Scenario) -> None:
    out = scenario(
        """
        lib = config.stlib
        config.init("se")
        RESULT["same"] = config.stlib is lib
        RESULT["edition"] = config.stedition
        """
    )
    assert out.stdout == ""
    assert out.result == {"same": True, "edition": "MP"}


def test_stata_module_refuses_import_before_init(scenario: Scenario) -> None:
    out = scenario(
        """
        try:
            from pystata import stata
        except SystemError as exc:
            RESULT["error"] = str(exc)
        """,
        env={"SIM_NO_INIT": "1"},
    )
    assert "has not been initialized" in out.result["error"]


def test_graph_settings_follow_pystata_validation(scenario: Scenario) -> None:
    out = scenario(
        """
        config.set_graph_format("png")
        config.set_graph_size(width="400px")
        config.set_graph_show(False)
        errors = []
        for call in (lambda: config.set_graph_format("gif"), lambda: config.set_graph_size(),
                     lambda: config.set_streaming_output_mode("maybe")):
            try:
                call()
            except ValueError:
                errors.append("ValueError")
        RESULT["errors"] = errors
        RESULT["config"] = [config.stconfig["grformat"], config.stconfig["grwidth"], config.stconfig["grshow"]]
        config.status()
        """
    )
    assert out.result["errors"] == ["ValueError"] * 3
    assert out.result["config"] == ["png", [400, "px"], False]
    assert "SIMULATED" in out.stdout
