"""Output reaches the client as progress notifications while Stata runs, over every transport."""

from __future__ import annotations

import time

import httpx
import jsonschema  # noqa: F401  (see below)
import pytest

from tests.notifications import raw_session, raw_stream

from .conftest import HEARTBEAT
from .helpers import HttpBridge, ProgressLog, stdio_client, text_of

# stata_run publishes an output schema, so the SDK client validates its results with jsonschema, which
# it imports lazily on the first one (about a second on a busy machine). Imported here, that one-off
# client cost stays out of the timings below, which are about when the bridge sends output and result.

# Five steps 0.4 s apart, then an estimation: output trickles in over about two seconds.
SCRIPT = """\
clear
set obs 50
generate x = _n
generate y = 2*x + mod(_n, 7)
forvalues i = 1/5 {
    display "step `i' of 5"
    sleep 400
}
regress y x
"""


def assert_streamed(progress: ProgressLog, result_at: float, result_text: str) -> None:
    """Progress came before the result, spread over the run, verbatim and in order."""
    output = progress.output
    assert len(output) >= 5, progress.events
    times = [t for t, _ in output]
    assert times == sorted(times)
    assert all(t <= result_at for t, _, _ in progress.events)
    # Spread: the first step arrives in the first half of the call, the last in its second half.
    first_step = progress.time_of("step 1 of 5")
    last_step = progress.time_of("step 5 of 5")
    assert first_step < result_at / 2 < last_step
    assert [n for _, n, _ in progress.events] == sorted({n for _, n, _ in progress.events})
    for i in range(1, 6):
        assert f"step {i} of 5" in progress.text
    # The relayed chunks are the run's output, verbatim and in order.
    assert progress.text in result_text


async def test_stdio_progress_arrives_during_the_run_before_the_result(bridge_env: dict[str, str]) -> None:
    async with stdio_client("--heartbeat", HEARTBEAT, env=bridge_env) as client:
        progress = ProgressLog()
        result = await client.call_tool("stata_run", {"code": SCRIPT}, progress_callback=progress)
        result_at = time.monotonic() - progress.start
    assert not result.is_error, text_of(result)
    assert_streamed(progress, result_at, text_of(result))


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_streamable_http_progress_arrives_during_the_run(http_bridge: HttpBridge, mode: str) -> None:
    async with http_bridge.client(mode=mode) as client:
        progress = ProgressLog()
        result = await client.call_tool("stata_run", {"code": SCRIPT}, progress_callback=progress)
        result_at = time.monotonic() - progress.start
    assert not result.is_error, text_of(result)
    assert_streamed(progress, result_at, text_of(result))


async def test_legacy_sse_progress_arrives_during_the_run(sse_bridge: HttpBridge) -> None:
    async with sse_bridge.client() as client:
        progress = ProgressLog()
        result = await client.call_tool("stata_run", {"code": SCRIPT}, progress_callback=progress)
        result_at = time.monotonic() - progress.start
    assert not result.is_error, text_of(result)
    assert_streamed(progress, result_at, text_of(result))


async def test_raw_http_first_sse_event_arrives_long_before_the_last(http_bridge: HttpBridge) -> None:
    """No SDK on the client side: the tools/call response is an SSE stream flushed event by event."""
    async with httpx.AsyncClient(timeout=60) as http:
        session_headers = await raw_session(http, http_bridge.url, "2025-06-18")
        call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "stata_run", "arguments": {"code": SCRIPT}, "_meta": {"progressToken": "raw"}}}
        response_headers, events = await raw_stream(http, http_bridge.url, session_headers, call)
    assert response_headers["content-type"].startswith("text/event-stream")
    assert response_headers.get("x-accel-buffering") == "no"
    methods = [e.get("method", "result") for _, e in events]
    assert methods[-1] == "result" and events[-1][1]["id"] == 2
    assert methods.count("notifications/progress") >= 5
    first, last = events[0][0], events[-1][0]
    assert events[0][1]["method"] == "notifications/progress"
    assert first < last / 2, [(round(t, 3), m) for (t, _), m in zip(events, methods, strict=True)]


async def test_silent_sleep_produces_heartbeats(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        progress = ProgressLog()
        result = await client.call_tool(
            "stata_run", {"code": 'display "start"\nsleep 12000\ndisplay "end"'}, progress_callback=progress
        )
    assert not result.is_error, text_of(result)
    beats = progress.heartbeats
    # 12 s of silence with a 0.5 s heartbeat: they keep coming, clearly worded, with the elapsed time.
    assert len(beats) >= 10, progress.events
    assert all("still running" in m and "elapsed" in m for _, m in beats)
    start_at = progress.time_of("start\n")
    end_at = progress.time_of("end\n")
    assert all(start_at < t < end_at for t, _ in beats)


async def test_output_flood_is_coalesced_into_few_large_notifications(http_bridge: HttpBridge) -> None:
    async with http_bridge.client() as client:
        progress = ProgressLog()
        result = await client.call_tool(
            "stata_run", {"code": "_sim_flood, bytes(2000000) linelen(100)"}, progress_callback=progress
        )
    assert not result.is_error, text_of(result)
    chunks = progress.output
    lines = progress.text.count("SEQ ")
    assert lines == 20000
    assert len(chunks) < lines / 10, len(chunks)
    # Verbatim and in order: sequence numbers never go back or skip.
    seqs = [int(line.split()[1]) for line in progress.text.splitlines() if line.startswith("SEQ ")]
    assert seqs == list(range(1, 20001))
