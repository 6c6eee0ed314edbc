"""Reliability tests: real kernels and bridges on the simulated Stata, under stress, faults and bad
input. Every test records its figures; they are printed at the end of the run (and written as JSON
to ``$STATA_LIVE_FIGURES`` when set) so docs/reliability.md can quote them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import harness
from tests.bridge.conftest import bridge_env  # noqa: F401  (re-exported fixture)

_FIGURES: dict[str, dict[str, Any]] = {}


class Figures:
    """Named measurements of one test."""

    def __init__(self, test: str) -> None:
        self._values = _FIGURES.setdefault(test, {})

    def __setitem__(self, name: str, value: Any) -> None:
        self._values[name] = round(value, 4) if isinstance(value, float) else value


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Figures:
    return Figures(request.node.name)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("stata-live reliability figures")
    for test, values in _FIGURES.items():
        shown = ", ".join(f"{k}={v}" for k, v in values.items())
        terminalreporter.write_line(f"{test}: {shown}")
    target = os.environ.get("STATA_LIVE_FIGURES")
    if target:
        Path(target).write_text(json.dumps(_FIGURES, indent=1), encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@pytest.fixture
def kernel_with_stderr(kernels_dir: Path, sim_dir: str, isolated_home: Path,
                       tmp_path: Path) -> Iterator[tuple[Any, Any, Path]]:
    """A kernel whose stderr goes to a file (the simulator warns there about break misuse)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    stderr_path = tmp_path / "kernel-stderr.log"
    ksm = KernelSpecManager(kernel_dirs=[str(kernels_dir)])
    km = KernelManager(kernel_name=harness.TEST_KERNEL_NAME, kernel_spec_manager=ksm)
    with open(stderr_path, "wb") as stderr:
        km.start_kernel(env=harness.kernel_env(sim_dir, isolated_home), stderr=stderr)
    import zmq
    kc = km.client()
    kc.context.setsockopt(zmq.RCVHWM, 0)  # a SUB socket drops messages past its HWM otherwise
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    try:
        yield km, kc, stderr_path
    finally:
        harness.stop_kernel(km, kc)
