"""Output reaches clients that only opted in to log messages, as ``notifications/message`` while Stata runs.

The official SDK client opts in the way each protocol era asks: ``logging/setLevel`` on handshake-era
connections (``mode="legacy"``), ``io.modelcontextprotocol/logLevel`` in every request's ``_meta`` on
2026-07-28 ones (``log_level=...`` with ``mode="auto"``, which negotiates 2026-07-28 with this bridge).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import jsonschema  # noqa: F401  (imported ahead: the SDK client's lazy import must not skew timings)
import pytest
from mcp import Client

from mcp_bridge.cli import parse_config
from tests.notifications import (
    MODES,
    LogLog,
    ProgressLog,
    assert_logged,
    client_options,
    opt_in,
    raw_session,
    raw_stream,
    run_logged,
)
from tests.notifications import STEP_SCRIPT as SCRIPT

from .conftest import HEARTBEAT
from .helpers import HttpBridge, stdio_client, text_of


@asynccontextmanager
async def stdio_logging_client(mode: str, logs: LogLog, *args: str, env: dict[str, str],
                               level: str | None = "info") -> AsyncIterator[Client]:
    async with stdio_client("--heartbeat", HEARTBEAT, *args, env=env, **client_options(mode, logs, level)) as client:
        await opt_in(client, mode, level)
        yield client


@pytest.mark.parametrize("mode", MODES)
async def test_stdio_log_messages_stream_the_run_to_a_client_that_only_set_a_level(
    bridge_env: dict[str, str], mode: str
) -> None:
    logs = LogLog()
    async with stdio_logging_client(mode, logs, env=bridge_env) as client:
        assert_logged(logs, await run_logged(client, logs))


@pytest.mark.parametrize("mode", MODES)
async def test_streamable_http_log_messages_stream_the_run_to_a_client_that_only_set_a_level(
    http_bridge: HttpBridge, mode: str
) -> None:
    logs = LogLog()
    async with http_bridge.client(**client_options(mode, logs)) as client:
        await opt_in(client, mode)
        assert_logged(logs, await run_logged(client, logs))


async def test_legacy_sse_log_messages_stream_the_run(sse_bridge: HttpBridge) -> None:
    logs = LogLog()
    async with sse_bridge.client(**client_options("legacy", logs)) as client:
        await opt_in(client, "legacy")
        assert_logged(logs, await run_logged(client, logs))


@pytest.mark.parametrize("mode", MODES)
async def test_a_level_above_info_gets_no_log_messages(http_bridge: HttpBridge, mode: str) -> None:
    logs = LogLog()
    async with http_bridge.client(**client_options(mode, logs, "warning")) as client:
        await opt_in(client, mode, "warning")
        run = await run_logged(client, logs, 'display "quiet please"')
    assert "quiet please" in run.output and not run.result.is_error
    assert logs.events == []


@pytest.mark.parametrize("mode", MODES)
async def test_a_client_that_never_opted_in_gets_no_log_messages(http_bridge: HttpBridge, mode: str) -> None:
    logs = LogLog()
    async with http_bridge.client(**client_options(mode, logs, None)) as client:
        await opt_in(client, mode, None)
        run = await run_logged(client, logs, 'display "not asked for"')
    assert "not asked for" in run.output and not run.result.is_error
    assert logs.events == []


@pytest.mark.parametrize("mode", MODES)
async def test_auto_sends_progress_only_when_the_request_has_a_progress_token(
    http_bridge: HttpBridge, mode: str
) -> None:
    logs, progress = LogLog(), ProgressLog()
    async with http_bridge.client(**client_options(mode, logs)) as client:
        await opt_in(client, mode)
        run = await run_logged(client, logs, progress_callback=progress)
    assert progress.text == run.output
    assert logs.events == []


async def test_silences_get_heartbeat_log_messages(http_bridge: HttpBridge) -> None:
    logs = LogLog()
    async with http_bridge.client(**client_options("auto", logs)) as client:
        await opt_in(client, "auto")
        run = await run_logged(client, logs, 'display "start"\nsleep 3000\ndisplay "end"')
    assert not run.result.is_error, text_of(run.result)
    beats = logs.heartbeats
    # 3 s of silence with a 0.5 s heartbeat, clearly worded, between the two lines.
    assert len(beats) >= 3, logs.events
    assert all("still running" in m and "elapsed" in m for _, m in beats)
    assert all(logs.time_of("start\n") < t < logs.time_of("end\n") for t, _ in beats)


async def test_stream_via_both_sends_every_chunk_as_progress_and_as_a_log_message(
    bridge_env: dict[str, str]
) -> None:
    logs, progress = LogLog(), ProgressLog()
    async with stdio_logging_client("auto", logs, "--stream-via", "both", env=bridge_env) as client:
        assert_logged(logs, await run_logged(client, logs, progress_callback=progress))
    assert progress.text == logs.text


async def test_stream_via_progress_never_sends_log_messages(bridge_env: dict[str, str]) -> None:
    logs = LogLog()
    async with stdio_logging_client("legacy", logs, "--stream-via", "progress", env=bridge_env) as client:
        run = await run_logged(client, logs, 'display "progress only"')
    assert "progress only" in run.output
    assert logs.events == []


async def test_stream_via_log_streams_to_a_handshake_client_that_set_no_level(bridge_env: dict[str, str]) -> None:
    """With --stream-via log the server decides, as the spec lets it when no level was set; no progress."""
    logs, progress = LogLog(), ProgressLog()
    async with stdio_logging_client("legacy", logs, "--stream-via", "log", env=bridge_env, level=None) as client:
        assert_logged(logs, await run_logged(client, logs, progress_callback=progress))
    assert progress.events == []


async def test_raw_http_log_messages_ride_the_requests_stream_before_the_result(http_bridge: HttpBridge) -> None:
    """No SDK on the client side: after logging/setLevel, the tools/call response stream carries the log
    messages as they are sent, then the result, and ends."""
    async with httpx.AsyncClient(timeout=60) as http:
        session_headers = await raw_session(http, http_bridge.url, "2025-11-25")
        level = await http.post(http_bridge.url, headers=session_headers, json={
            "jsonrpc": "2.0", "id": 2, "method": "logging/setLevel", "params": {"level": "debug"}})
        assert level.status_code == 200 and '"result"' in level.text, level.text
        call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                "params": {"name": "stata_run", "arguments": {"code": SCRIPT}}}
        _, events = await raw_stream(http, http_bridge.url, session_headers, call)
    kinds = [e.get("method", "result") for _, e in events]
    assert kinds[-1] == "result" and events[-1][1]["id"] == 3
    assert set(kinds[:-1]) == {"notifications/message"}, kinds
    assert len(kinds) >= 6
    assert events[0][0] < events[-1][0] / 2, [(round(t, 3), k) for (t, _), k in zip(events, kinds, strict=True)]
    logged = "".join(e["params"]["data"] for _, e in events[:-1])
    assert "step 1 of 5" in logged and "done" in logged


def test_stream_via_defaults_to_auto_and_refuses_unknown_channels() -> None:
    assert parse_config([]).stream_via == "auto"
    assert parse_config(["--stream-via", "both"]).stream_via == "both"
    with pytest.raises(SystemExit):
        parse_config(["--stream-via", "smoke-signals"])
