"""The kernel's temporary files (multi-line cells as do-files, exported graphs) go with a normal shutdown."""

from __future__ import annotations

from pathlib import Path

from tests import harness
from tests.harness import execute


def _scratch(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith("stata-live-"))


def test_a_shut_down_kernel_leaves_no_temporary_directory(kernels_dir, sim_dir, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    km, kc = harness.start_kernel(kernels_dir, harness.kernel_env(sim_dir, tmp_path, TMPDIR=str(tmp)))
    try:
        run = execute(kc, "sysuse auto, clear\nscatter price mpg")
        assert run.status == "ok" and run.of_type("display_data"), run.text
        # The do-file and the exported graph are gone already; their directories live as long as the kernel.
        made = _scratch(tmp)
        assert len(made) == 2 and sum(name.startswith("stata-live-graphs-") for name in made) == 1, made
        assert not any(any((tmp / name).iterdir()) for name in made)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    assert _scratch(tmp) == []


def test_a_kernel_without_stata_makes_no_temporary_directory(kernels_dir, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = harness.kernel_env(str(tmp_path / "no-stata-here"), tmp_path, TMPDIR=str(tmp))
    km, kc = harness.start_kernel(kernels_dir, env)
    try:
        assert execute(kc, "display 1\ndisplay 2").status == "error"
        assert _scratch(tmp) == []
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    assert _scratch(tmp) == []
