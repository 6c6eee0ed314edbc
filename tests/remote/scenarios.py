"""What the bridge must do on any server (Jupyter Server, Kernel Gateway), written once.

Each scenario drives a connected MCP client and asserts; the tests pick the server and add what
only that server shows (timings, its kernel list or log).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
from mcp import Client
from mcp_types import CallToolResult

from tests.bridge.helpers import ProgressLog, text_of
from tests.bridge.test_streaming import SCRIPT, assert_streamed

T = TypeVar("T")
LONG_LOOP = """\
forvalues i = 1/200 {
    display "tick `i'"
    sleep 100
}
"""


def bridge_args(url: str, token: str, *more: str) -> tuple[str, ...]:
    return ("--server-url", url, "--token", token, "--heartbeat", "0.5", *more)


async def streams_during_the_run(client: Client) -> ProgressLog:
    """The step script's output arrives as progress while it runs; its log, for timing figures."""
    progress = ProgressLog()
    result = await client.call_tool("stata_run", {"code": SCRIPT}, progress_callback=progress)
    result_at = time.monotonic() - progress.start
    assert not result.is_error, text_of(result)
    assert_streamed(progress, result_at, text_of(result))
    return progress


async def run_meanwhile(client: Client, code: str, when: str, act: Callable[[], Awaitable[T]]
                        ) -> tuple[CallToolResult, T]:
    """Runs ``code`` and, once its output shows ``when``, awaits ``act`` while it runs: the run's
    result and what ``act`` returned."""
    progress = ProgressLog()
    results: list[CallToolResult] = []
    async with anyio.create_task_group() as tg:
        async def run() -> None:
            results.append(await client.call_tool("stata_run", {"code": code}, progress_callback=progress))

        tg.start_soon(run)
        await progress.wait_for_text(when)
        acted = await act()
    return results[0], acted


async def interrupt_breaks_the_run(client: Client) -> float:
    """stata_interrupt sent at "tick 2" breaks the loop (rc 1) and the next call works; seconds from
    the interrupt to its answer (given once the run has stopped)."""
    async def interrupt() -> tuple[CallToolResult, float]:
        sent = time.monotonic()
        answer = await client.call_tool("stata_interrupt", {})
        return answer, time.monotonic() - sent

    run_result, (answer, took) = await run_meanwhile(client, LONG_LOOP, "tick 2", interrupt)
    after = await client.call_tool("stata_run", {"code": 'display "still usable"'})
    assert run_result.is_error and run_result.structured_content["rc"] == 1, text_of(run_result)
    assert "--Break--" in text_of(run_result) and "tick 200" not in text_of(run_result)
    assert "Interrupted" in text_of(answer), text_of(answer)
    assert "still usable" in text_of(after) and not after.is_error
    return took


async def a_flood_arrives_whole(client: Client) -> None:
    """2 MB of numbered lines reach the client as progress, none lost or reordered."""
    progress = ProgressLog()
    result = await client.call_tool(
        "stata_run", {"code": "_sim_flood, bytes(2000000) linelen(100)"}, progress_callback=progress
    )
    assert not result.is_error, text_of(result)
    seqs = [int(line.split()[1]) for line in progress.text.splitlines() if line.startswith("SEQ ")]
    assert seqs == list(range(1, 20001))
