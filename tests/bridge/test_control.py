"""Cancellation, timeouts, interrupts, serialised runs and kernel death leave a usable session."""

from __future__ import annotations

import anyio
import pytest

from .conftest import HEARTBEAT
from .helpers import HttpBridge, ProgressLog, stdio_client, text_of

LONG_LOOP = """\
forvalues i = 1/200 {
    display "tick `i'"
    sleep 100
}
"""


async def run_log(client, label: str) -> tuple[str, str]:
    """Outcome and full log of the latest run whose label starts with ``label``."""
    listing = (await client.read_resource("stata://runs")).contents[0].text
    for line in listing.splitlines():
        run_id, outcome, _, run_label = line.split("\t", 3)
        if run_label.startswith(label):
            log = (await client.read_resource(f"stata://runs/{run_id}/log")).contents[0].text
            return outcome, log
    raise AssertionError(f"no run labelled {label!r} in\n{listing}")


TRANSPORTS = [("http_bridge", "auto"), ("http_bridge", "legacy"), ("sse_bridge", "legacy")]


@pytest.mark.parametrize(("bridge_name", "mode"), TRANSPORTS)
async def test_cancelling_the_request_breaks_the_run(
    request: pytest.FixtureRequest, bridge_name: str, mode: str
) -> None:
    bridge: HttpBridge = request.getfixturevalue(bridge_name)
    async with bridge.client(mode=mode) as client:
        await cancel_mid_run_then_check(client)


async def test_cancelling_over_stdio_breaks_the_run(bridge_env: dict[str, str]) -> None:
    async with stdio_client(env=bridge_env) as client:
        await cancel_mid_run_then_check(client)


async def cancel_mid_run_then_check(client) -> None:
    progress = ProgressLog()
    with anyio.CancelScope() as scope:
        async with anyio.create_task_group() as tg:
            async def cancel_after_two_ticks() -> None:
                await progress.wait_for_text("tick 2")
                scope.cancel()

            tg.start_soon(cancel_after_two_ticks)
            await client.call_tool("stata_run", {"code": "* cancel me\n" + LONG_LOOP}, progress_callback=progress)
    assert scope.cancelled_caught
    # The next call runs at once: it could not while the loop held the session.
    after = await client.call_tool("stata_run", {"code": 'display "after cancel"'})
    assert "after cancel" in text_of(after) and not after.is_error
    outcome, log = await run_log(client, "* cancel me")
    assert outcome == "cancelled"
    assert "--Break--" in log and "tick 200" not in log
    assert "request was cancelled" in log


async def test_timeout_interrupts_stata_and_says_so(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        result = await client.call_tool("stata_run", {"code": LONG_LOOP, "timeout_s": 0.5})
        after = await client.call_tool("stata_run", {"code": 'display "still usable"'})
    assert result.is_error
    text = text_of(result)
    assert "time limit" in text and "--Break--" in text and "tick 200" not in text
    assert result.structured_content["rc"] == 1
    assert "still usable" in text_of(after) and not after.is_error


@pytest.mark.parametrize(("bridge_name", "mode"), TRANSPORTS)
async def test_stata_interrupt_from_another_request_breaks_the_run(
    request: pytest.FixtureRequest, bridge_name: str, mode: str
) -> None:
    bridge: HttpBridge = request.getfixturevalue(bridge_name)
    async with bridge.client(mode=mode) as client:
        progress = ProgressLog()
        results = {}
        async with anyio.create_task_group() as tg:
            async def run() -> None:
                results["run"] = await client.call_tool(
                    "stata_run", {"code": LONG_LOOP}, progress_callback=progress
                )

            tg.start_soon(run)
            await progress.wait_for_text("tick 1")
            results["interrupt"] = await client.call_tool("stata_interrupt", {})
        idle = await client.call_tool("stata_interrupt", {})
    run_result = results["run"]
    assert run_result.is_error
    assert run_result.structured_content["rc"] == 1
    assert "--Break--" in text_of(run_result) and "tick 200" not in text_of(run_result)
    assert "Interrupted" in text_of(results["interrupt"])
    assert "Nothing is running" in text_of(idle)


async def test_a_second_run_waits_for_the_first(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        first_progress, second_progress = ProgressLog(), ProgressLog()
        finished: list[str] = []
        async with anyio.create_task_group() as tg:
            async def first() -> None:
                code = 'display "first"\nsleep 1500\ndisplay "first done"'
                await client.call_tool("stata_run", {"code": code}, progress_callback=first_progress)
                finished.append("first")

            async def second() -> None:
                result = await client.call_tool("stata_run", {"code": 'display "second"'},
                                                progress_callback=second_progress)
                assert "second" in text_of(result)
                finished.append("second")

            tg.start_soon(first)
            await first_progress.wait_for_text("first")
            tg.start_soon(second)
    assert finished == ["first", "second"]
    assert any("waiting for another Stata run" in m for _, m in second_progress.heartbeats)


async def test_kernel_death_is_reported_and_the_owned_kernel_restarted(bridge_env: dict[str, str]) -> None:
    async with stdio_client("--heartbeat", HEARTBEAT, env=bridge_env) as client:
        await client.call_tool("stata_run", {"code": "scalar kept = 1"})
        died = await client.call_tool("stata_run", {"code": 'display "before crash"\n_sim_crash'})
        after = await client.call_tool("stata_run", {"code": 'display "alive again"'})
        lost = await client.call_tool("stata_run", {"code": "display kept"})
    assert died.is_error
    assert "kernel died" in text_of(died) and "restarted" in text_of(died)
    assert "exit status 137" in text_of(died)  # how it died: _sim_crash exits with 137
    assert "before crash" in text_of(died)
    assert not after.is_error and "alive again" in text_of(after)
    assert lost.is_error  # a fresh Stata: the scalar is gone


async def test_restart_gives_a_fresh_session(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        await client.call_tool("stata_run", {"code": "scalar before_restart = 1"})
        restarted = await client.call_tool("stata_restart", {})
        gone = await client.call_tool("stata_run", {"code": "display before_restart"})
    assert not restarted.is_error and "restarted" in text_of(restarted)
    assert gone.is_error
