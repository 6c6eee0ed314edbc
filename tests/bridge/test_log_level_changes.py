"""Log streaming follows the level the client sets while a run streams, and ``--stream-via both`` over HTTP.

Handshake-era clients set their level with ``logging/setLevel`` whenever they like; raising it above
``info`` in the middle of a run must stop the run's log messages then, not at the next call.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from mcp import Client

from tests.notifications import MODES, LogLog, ProgressLog, assert_logged, client_options, opt_in, run_logged
from tests.notifications import STEP_SCRIPT as SCRIPT

from .conftest import HEARTBEAT
from .helpers import HttpBridge, stdio_client, text_of


@asynccontextmanager
async def legacy_client(transport: str, logs: LogLog, env: dict[str, str], http: HttpBridge) -> AsyncIterator[Client]:
    """A handshake-era client that set ``info`` with logging/setLevel, over stdio or Streamable HTTP."""
    options = client_options("legacy", logs)
    if transport == "stdio":
        async with stdio_client("--heartbeat", HEARTBEAT, env=env, **options) as client:
            await opt_in(client, "legacy")
            yield client
    else:
        async with http.client(**options) as client:
            await opt_in(client, "legacy")
            yield client


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_raising_the_level_above_info_mid_run_stops_the_runs_log_messages(
    bridge_env: dict[str, str], http_bridge: HttpBridge, transport: str
) -> None:
    logs = LogLog()
    async with legacy_client(transport, logs, bridge_env, http_bridge) as client:
        results: list[Any] = []

        async def call() -> None:
            results.append(await client.call_tool("stata_run", {"code": SCRIPT}))

        async with anyio.create_task_group() as group:
            group.start_soon(call)
            await logs.wait_for_text("step 1 of 5")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # MCPDeprecationWarning: logging is deprecated at 2026-07-28
                await client.set_logging_level("error")
            seen_when_raised = len(logs.events)
    (result,) = results
    assert not result.is_error, text_of(result)
    assert "step 5 of 5" in text_of(result) and "done" in text_of(result)
    # Steps 2-5 and "done" print over the next 1.6 s; at most a message already on its way may follow.
    assert len(logs.events) - seen_when_raised <= 1, logs.events
    assert "step 5 of 5" not in logs.text and "done" not in logs.text


@pytest.fixture(scope="module")
def both_bridge(bridge_env: dict[str, str]) -> Iterator[HttpBridge]:
    bridge = HttpBridge("--heartbeat", HEARTBEAT, "--stream-via", "both", env=bridge_env, transport="http")
    try:
        yield bridge
    finally:
        bridge.stop()


@pytest.mark.parametrize("mode", MODES)
async def test_streamable_http_stream_via_both_sends_every_chunk_as_progress_and_as_a_log_message(
    both_bridge: HttpBridge, mode: str
) -> None:
    logs, progress = LogLog(), ProgressLog()
    async with both_bridge.client(**client_options(mode, logs)) as client:
        await opt_in(client, mode)
        run = await run_logged(client, logs, progress_callback=progress)
    assert_logged(logs, run)
    assert progress.text == logs.text
    assert [p for _, p, _ in progress.events] == sorted({p for _, p, _ in progress.events})
