"""The Runner owns a run's lifecycle; refusals are values turned into results at one boundary.

The kernel here is the bridge's own ``UnavailableKernel`` (a real ``KernelConnection`` that answers
every call with ``KernelUnavailable``): the Runner's bookkeeping needs no Stata.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from mcp_bridge.background import BackgroundHost
from mcp_bridge.kernel.pool import UnavailableKernel
from mcp_bridge.refusals import Refused
from mcp_bridge.runner import Runner, RunOutcome
from mcp_bridge.runs import RunRecord, RunRegistry
from mcp_bridge.tools.validate import check_code, check_do_file, check_timeout

KERNEL = UnavailableKernel("no kernel in this test")


def _ignore(event: object) -> None:
    pass


def test_a_refusal_becomes_an_error_result_with_the_run_shape_and_no_rc() -> None:
    result = Refused.invalid("timeout_s must be a number of seconds or null.").result()
    assert result.is_error
    assert result.content[0].text == "timeout_s must be a number of seconds or null."  # type: ignore[union-attr]
    structured = result.structured_content
    assert structured is not None
    assert structured["rc"] is None and structured["ok"] is False and structured["run_id"] is None
    assert structured["error"]["kind"] == "invalid_input"


def test_input_checks_return_refusals_instead_of_raising(tmp_path: Path) -> None:
    assert check_code("display 1", 100) is None
    assert isinstance(check_code("display\x00", 100), Refused)
    assert isinstance(check_code("display 1" * 100, 100), Refused)
    assert isinstance(check_timeout(-1.0), Refused)
    assert check_timeout(2.5) is None
    assert isinstance(check_do_file(str(tmp_path / "missing.do")), Refused)
    assert isinstance(check_do_file(str(tmp_path)), Refused)


async def test_a_run_the_kernel_cannot_take_ends_as_a_kernel_error_and_frees_the_session() -> None:
    runner = Runner(RunRegistry())
    record = runner.registry.new("display 1")
    ran = await runner.execute(KERNEL, record, "display 1", _ignore, timeout_s=None, user_expressions=None)
    assert ran.outcome == "kernel error" and ran.problem is not None and not ran.cancelled
    assert runner.current is None and not runner.lock.locked()
    assert runner.busy(background=True) is None
    assert not runner.cancel(record)  # over: nothing left to cancel


async def test_cancel_stops_a_run_waiting_for_the_session() -> None:
    runner = Runner(RunRegistry())
    record = runner.registry.new("display 1")
    outcome: list[RunOutcome] = []
    waits: list[str | None] = []

    async def run() -> None:
        outcome.append(await runner.execute(KERNEL, record, "display 1", _ignore, timeout_s=None,
                                            user_expressions=None, waiting=waits.append))

    async with runner.lock, anyio.create_task_group() as tg:  # another run holds the session
        tg.start_soon(run)
        await anyio.wait_all_tasks_blocked()
        assert runner.busy(background=True) is not None  # a foreground run waits; a background one is refused
        assert runner.cancel(record)
    assert outcome[0].cancelled and outcome[0].execution is None and outcome[0].problem is None
    assert waits == ["another Stata run on this session to finish"]
    assert runner.current is None


async def test_a_background_run_holds_the_session_until_it_ends() -> None:
    runner = Runner(RunRegistry())
    host = BackgroundHost()
    finished = anyio.Event()
    release = anyio.Event()

    async def body(record: RunRecord) -> None:
        await release.wait()
        record.finish("ok")
        finished.set()

    async with host.running():
        record = runner.start_background(host, "display 1", body, lambda r: None)
        assert isinstance(record, RunRecord) and record.background
        # Claimed before the run's task first runs: a racing call sees the session busy.
        busy = runner.busy(background=False)
        assert busy is not None and busy.error["kind"] == "session_busy" and record.run_id in busy.message
        again = runner.start_background(host, "x", body, lambda r: None)
        assert isinstance(again, Refused) and again.error["kind"] == "session_busy"
        release.set()
        await finished.wait()
    assert runner.background is None and runner.busy(background=False) is None


def test_a_background_run_without_a_host_is_refused_and_its_record_ends_cancelled() -> None:
    runner = Runner(RunRegistry())
    abandoned: list[RunRecord] = []

    async def body(record: RunRecord) -> None:
        raise AssertionError("never started")

    why = runner.start_background(BackgroundHost(), "display 1", body, abandoned.append)
    assert isinstance(why, Refused) and why.error["kind"] == "unavailable"
    assert runner.background is None
    [record] = runner.registry.recent()
    assert abandoned == [record] and record.finished and record.outcome == "cancelled"


@pytest.mark.parametrize("background", [False, True])
def test_an_idle_runner_refuses_nothing(background: bool) -> None:
    assert Runner(RunRegistry()).busy(background=background) is None
