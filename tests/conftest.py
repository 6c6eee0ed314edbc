from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import harness


@pytest.fixture(scope="session", autouse=True)
def _children_use_pytest_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Kernels the tests stop with ``now=True`` are killed and cannot remove their scratch directories:
    the processes the tests start keep their temporary files in pytest's tree (pruned by pytest), not in /tmp."""
    patch = pytest.MonkeyPatch()
    patch.setenv("TMPDIR", str(tmp_path_factory.mktemp("tmp")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def sim_dir() -> str:
    return harness.simulator_dir()


@pytest.fixture(scope="session")
def kernels_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return harness.write_kernelspec(tmp_path_factory.mktemp("jupyter"))


@pytest.fixture(scope="session")
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def kernel(kernels_dir: Path, sim_dir: str, isolated_home: Path) -> Iterator[harness.BlockingKernelClient]:
    """One live kernel on the simulated Stata, shared by the tests of a module."""
    km, kc = harness.start_kernel(kernels_dir, harness.kernel_env(sim_dir, isolated_home))
    try:
        yield kc
    finally:
        harness.stop_kernel(km, kc)


@pytest.fixture(scope="module")
def kernel_manager_and_client(kernels_dir: Path, sim_dir: str, isolated_home: Path):
    km, kc = harness.start_kernel(kernels_dir, harness.kernel_env(sim_dir, isolated_home))
    try:
        yield km, kc
    finally:
        harness.stop_kernel(km, kc)
