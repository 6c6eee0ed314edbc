"""``python -m stata_kernel selftest`` passes on every release the simulator plays.

The self-test is what people with a real Stata run; here it drives a real kernel process over ZMQ on the
simulated Stata 17, 18 and 19: errors, streaming, interrupt, do-files, Python in Stata, console waits,
stored results without numpy, graphs and the round trip.
"""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from stata_kernel import selftest
from tests import harness

from .conftest import release_env

CHECKS = ("starts", "streams while running", "errors are errors", "one-line errors are errors", "interrupt",
          "do-file locals and unicode", "python inside Stata prints into the cell", "nothing waits for a console",
          "stored results (no numpy needed)", "graphs", "round trip of `display 1`")


@pytest.fixture(scope="module")
def report(release: str, sim_dir: str) -> dict[str, selftest.Check]:
    out = io.StringIO()
    checks = selftest.run(sim_dir, None, 60.0, out=out, extra_env=release_env(release))
    print(out.getvalue())
    return {c.name: c for c in checks}


@pytest.mark.parametrize("name", CHECKS)
def test_selftest_check_passes(report: dict[str, selftest.Check], name: str) -> None:
    check = report[name]
    assert check.ok, f"{name}: {check.detail}"


def test_selftest_command_exits_zero_and_names_every_check(sim_dir: str, isolated_home) -> None:
    env = harness.kernel_env(sim_dir, isolated_home, **release_env("17"))
    done = subprocess.run([sys.executable, "-m", "stata_kernel", "selftest", "--timeout", "60"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(CHECKS)} of {len(CHECKS)} checks passed" in done.stdout
