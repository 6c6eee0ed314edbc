"""Real frontends (jupyter console in tmux, JupyterLab in headless Chromium) against the stata-live kernel.

These tests need tools outside the Python test extra (tmux, Debian's chromium: ``scripts/install_frontend_deps.sh``).
Outside CI a missing tool skips them with the reason; under CI (``CI`` set) it fails them, so a CI machine
without the tools cannot go green by skipping.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import kernel_env, write_kernelspec

ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = "install with: sudo bash scripts/install_frontend_deps.sh && .venv/bin/pip install -e '.[test]'"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(available: bool, what: str) -> None:
    """Skip (outside CI) or fail (in CI) when a frontend tool is missing."""
    if available:
        return
    message = f"{what} is not available; {INSTALL_HINT}"
    if in_ci():
        pytest.fail(f"CI is set, so a missing frontend tool is a failure: {message}", pytrace=False)
    pytest.skip(message)


def require_executable(name: str, path: str | None = None) -> str:
    found = path if path and os.access(path, os.X_OK) else shutil.which(name)
    require(found is not None, f"the `{name}` executable")
    assert found is not None
    return found


def require_module(module: str, package: str | None = None) -> None:
    require(importlib.util.find_spec(module) is not None, f"the Python package `{package or module}`")


def frontend_env(base: Path, sim_dir: str) -> dict[str, str]:
    """Environment for a frontend process: the test kernelspec, the simulated Stata, nothing of the user's.

    HOME, Jupyter's config/data/runtime dirs and IPython's dir all point under ``base``, so neither the
    developer's settings nor a previous run leak in.
    """
    jupyter_path = base / "jupyter-path"
    write_kernelspec(jupyter_path)
    home = base / "home"
    dirs = {
        "JUPYTER_CONFIG_DIR": base / "jupyter-config",
        "JUPYTER_DATA_DIR": base / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": base / "jupyter-runtime",
        "IPYTHONDIR": base / "ipython",
    }
    for d in (home, *dirs.values()):
        d.mkdir(parents=True, exist_ok=True)
    return kernel_env(
        sim_dir,
        home,
        JUPYTER_PATH=str(jupyter_path),
        # debugpy (imported by ipykernel) otherwise prints a frozen-modules warning onto the console prompt.
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        **{name: str(path) for name, path in dirs.items()},
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the item, so fixtures can gather evidence when a test failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)
