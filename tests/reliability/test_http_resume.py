"""Streamable HTTP resumability: a client that loses its stream mid-run and reconnects with
``Last-Event-ID`` gets every notification it missed, then the result (protocol 2025-11-25).
At 2026-07-28 (no resumption) a dropped stream cancels the call, which interrupts Stata."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import anyio
import httpx
import pytest

from tests.bridge.helpers import HttpBridge, text_of

from .rawmcp import RawSession, progress_of, result_text, sse_events

TICKS = 60
LOOP = f'forvalues i = 1/{TICKS} {{\n    display "tick `i\'"\n    sleep 30\n}}\n'
_TICK = re.compile(r"^tick (\d+)$", re.M)


@pytest.fixture(scope="module")
def resumable_bridge(bridge_env: dict[str, str]) -> Iterator[HttpBridge]:
    bridge = HttpBridge("--heartbeat", "1", env=bridge_env, transport="http")
    try:
        yield bridge
    finally:
        bridge.stop()


def ticks_in(text: str) -> list[int]:
    return [int(n) for n in _TICK.findall(text)]


async def _read_until_progress(response: httpx.Response, count: int) -> tuple[list[tuple[float, str]], str]:
    """Read ``count`` progress events; return them and the id of the last event read."""
    seen: list[tuple[float, str]] = []
    last_id = ""
    async for event in sse_events(response):
        if event.id:
            last_id = event.id
        progress = progress_of(event.message)
        if progress is not None:
            seen.append(progress)
            if len(seen) >= count:
                break
    return seen, last_id


async def _replay(session: RawSession, last_event_id: str, request_id: int) -> tuple[list[tuple[float, str]], dict]:
    headers = session.request_headers(**{"Last-Event-ID": last_event_id})
    headers.pop("Content-Type")
    replayed: list[tuple[float, str]] = []
    async with session.http.stream("GET", session.url, headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        async for event in sse_events(response):
            message = event.message
            progress = progress_of(message)
            if progress is not None:
                replayed.append(progress)
            elif message is not None and message.get("id") == request_id:
                return replayed, message
    raise AssertionError("the replayed stream ended without the call's result")


@pytest.mark.parametrize("reconnect", ["after-the-run", "during-the-run"])
async def test_reconnect_with_last_event_id_replays_every_missed_notification(
    resumable_bridge: HttpBridge, reconnect: str, figures
) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        session = RawSession(http, resumable_bridge.url)
        await session.initialize()
        request_id = session.next_id()
        async with session.call("stata_run", {"code": LOOP}, progress_token="resume-me",
                                request_id=request_id) as response:
            assert response.status_code == 200
            before, last_id = await _read_until_progress(response, 3)
        # Leaving the block dropped the connection mid-run.
        assert last_id and ticks_in("".join(m for _, m in before))[-1] < TICKS
        dropped_at = time.monotonic()
        if reconnect == "after-the-run":
            # A second session's call waits for the run lock: once it answers, the loop is over.
            other = RawSession(http, resumable_bridge.url)
            await other.initialize()
            probe = await other.call_tool("stata_run", {"code": 'display "probe"'})
            assert "probe" in result_text(probe)
        replayed, result = await _replay(session, last_id, request_id)
        resumed_in = time.monotonic() - dropped_at
    progress_numbers = [p for p, _ in before + replayed]
    assert progress_numbers == list(range(1, len(progress_numbers) + 1)), "a notification is missing or repeated"
    text = "".join(m for _, m in before + replayed if not m.startswith("[stata-live]"))
    assert ticks_in(text) == list(range(1, TICKS + 1))
    assert "result" in result and not result["result"].get("isError")
    assert ticks_in(result_text(result)) == list(range(1, TICKS + 1))
    figures["notifications_before_drop"] = len(before)
    figures["notifications_replayed"] = len(replayed)
    figures["drop_to_result_s"] = resumed_in


async def test_replay_never_crosses_sessions(resumable_bridge: HttpBridge) -> None:
    """Request ids repeat across sessions; a replay must only return the asking session's events."""
    async with httpx.AsyncClient(timeout=60) as http:
        first, second = RawSession(http, resumable_bridge.url), RawSession(http, resumable_bridge.url)
        await first.initialize()
        await second.initialize()
        async with first.call("stata_run", {"code": 'display "secret of the first session"'},
                              progress_token="p", request_id=7) as response:
            events = [event async for event in sse_events(response)]
        primer = next(e.id for e in events if e.id)
        # The second session asks for the first session's stream with the same request id.
        async with second.call("stata_run", {"code": 'display "second"'}, progress_token="p",
                               request_id=7) as response:
            [event async for event in sse_events(response)]
        headers = second.request_headers(**{"Last-Event-ID": primer})
        headers.pop("Content-Type")
        seen = ""
        with anyio.move_on_after(3):  # the stream stays open for a live tail; what it replays comes first
            async with http.stream("GET", second.url, headers=headers) as response:
                async for event in sse_events(response):
                    seen += event.data
    assert "secret of the first session" not in seen


async def test_dropped_stream_at_2026_07_28_cancels_the_call_and_interrupts_stata(
    resumable_bridge: HttpBridge, figures
) -> None:
    """Protocol 2026-07-28 has no resumption: closing the response stream is the cancellation."""
    long_loop = 'forvalues i = 1/2000 {\n    display "tick `i\'"\n    sleep 50\n}\n'
    body = {
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {
            "name": "stata_run", "arguments": {"code": "* modern drop\n" + long_loop},
            "_meta": {
                "progressToken": "modern",
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
            },
        },
    }
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
               "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "stata_run"}
    async with httpx.AsyncClient(timeout=60) as http:
        async with http.stream("POST", resumable_bridge.url, json=body, headers=headers) as response:
            if response.status_code != 200 or not response.headers.get("content-type", "").startswith(
                    "text/event-stream"):
                pytest.skip(f"the SDK did not serve 2026-07-28 here: {response.status_code} "
                            f"{(await response.aread())[:300]!r}")
            await _read_until_progress(response, 2)
        dropped = time.monotonic()
        async with resumable_bridge.client() as client:
            after = await client.call_tool("stata_run", {"code": 'display "after the drop"'})
            waited = time.monotonic() - dropped
            listing = (await client.read_resource("stata://runs")).contents[0].text
    assert "after the drop" in text_of(after)
    line = next(line for line in listing.splitlines() if line.endswith("* modern drop"))
    assert "\tcancelled\t" in line, line
    assert waited < 10, "the dropped call kept Stata busy"
    figures["drop_to_next_run_done_s"] = waited
