"""A client that goes away mid-run: over stdio the bridge stops and its kernel with it; over HTTP
the run finishes (2025-11-25 streams are resumable, so a drop is not a cancellation) and nothing
piles up: no threads, descriptors or kernel processes left behind."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.bridge.helpers import ROOT, HttpBridge, bridge_command

from . import proc
from .rawmcp import RawSession, RawStdio, progress_of, result_text, sse_events

LONG = 'forvalues i = 1/2000 {\n    display "tick `i\'"\n    sleep 50\n}\n'
SHORT = 'forvalues i = 1/30 {\n    display "tick `i\'"\n    sleep 40\n}\n'


def _kernels_below(pid: int) -> set[int]:
    return proc.kernels_of(pid)


def _wait_gone(pids: set[int], timeout: float = 10) -> set[int]:
    """Poll /proc until the processes are gone (a condition with a deadline); returns survivors."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = {pid for pid in pids if proc.alive(pid)}
        if not left:
            return left
        time.sleep(0.05)
    return {pid for pid in pids if proc.alive(pid)}


@pytest.mark.parametrize("how", ["close-stdin", "client-killed"])
def test_stdio_client_gone_mid_run_stops_the_bridge_and_its_kernel(
    bridge_env: dict[str, str], how: str, figures
) -> None:
    orphans_before = proc.orphan_kernels()
    bridge = RawStdio(bridge_command(), env=bridge_env, cwd=str(ROOT))
    try:
        bridge.initialize()
        bridge.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "stata_run", "arguments": {"code": LONG}, "_meta": {"progressToken": "t"}}})
        while progress_of(bridge.read()) is None:
            pass
        kernels = _kernels_below(bridge.process.pid)
        assert len(kernels) == 1
        gone_at = time.monotonic()
        assert bridge.process.stdin is not None and bridge.process.stdout is not None
        bridge.process.stdin.close()
        if how == "client-killed":
            bridge.process.stdout.close()  # nobody reads what the bridge still writes
        code = bridge.process.wait(30)
        stopped_in = time.monotonic() - gone_at
    finally:
        if bridge.process.poll() is None:
            bridge.process.kill()
            bridge.process.wait(5)
    assert not _wait_gone(kernels), "the bridge's kernel outlived it"
    assert not (proc.orphan_kernels() - orphans_before)
    figures["bridge_stopped_s"] = stopped_in
    figures["exit_code"] = code
    # Either way the client is gone: a normal end, not a crash.
    assert code == 0, b"".join(bridge.stderr)[-2000:]


@pytest.fixture(scope="module")
def drop_bridge(bridge_env: dict[str, str]) -> Iterator[HttpBridge]:
    bridge = HttpBridge(env=bridge_env, transport="http")
    try:
        yield bridge
    finally:
        bridge.stop()


async def _drop_mid_run(http: httpx.AsyncClient, url: str) -> float:
    """Returns how long after the call it dropped."""
    session = RawSession(http, url)
    await session.initialize()
    called = time.monotonic()
    async with session.call("stata_run", {"code": SHORT}, progress_token="drop") as response:
        seen = ""
        async for event in sse_events(response):
            progress = progress_of(event.message)
            if progress is not None:
                seen += progress[1]
                if "tick 3\n" in seen:
                    break
    # Leaving the block closed the connection while Stata runs.
    return time.monotonic() - called


@pytest.mark.slow
async def test_http_clients_dropping_mid_run_leak_nothing(drop_bridge: HttpBridge, figures) -> None:
    pid = drop_bridge.process.pid
    cycles = 10
    async with httpx.AsyncClient(timeout=60) as http:
        probe = RawSession(http, drop_bridge.url)
        await probe.initialize()
        await probe.call_tool("stata_run", {"code": 'display "warm"'})
        threads, fds, rss = proc.threads(pid), proc.fds(pid), proc.rss_mb(pid)
        kernels = _kernels_below(pid)
        waits: list[float] = []
        drop_after: list[float] = []
        for i in range(cycles):
            # A fresh connection each time, dropped mid-run.
            async with httpx.AsyncClient(timeout=60) as dropping:
                drop_after.append(await _drop_mid_run(dropping, drop_bridge.url))
            dropped = time.monotonic()
            # Waits for the session: returns once the dropped run is over (finished or interrupted).
            after = await probe.call_tool("stata_run", {"code": f"display {i} * 3"})
            waits.append(time.monotonic() - dropped)
            assert result_text(after).strip() == str(i * 3)
        listing = await probe.http.post(probe.url, json={
            "jsonrpc": "2.0", "id": 999, "method": "resources/read", "params": {"uri": "stata://runs"}},
            headers=probe.request_headers())
        outcomes: dict[str, int] = {}
        for line in listing.text.split("\\n"):
            if line.endswith("forvalues i = 1/30 {"):
                outcome = line.split("\\t")[1]
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    figures["drops"] = cycles
    figures["dropped_run_outcomes"] = outcomes
    figures["threads_before_after"] = (threads, proc.threads(pid))
    figures["fds_before_after"] = (fds, proc.fds(pid))
    figures["rss_growth_mb"] = proc.rss_mb(pid) - rss
    figures["dropped_after_max_s"] = max(drop_after)
    figures["next_call_after_drop_max_s"] = max(waits)
    assert _kernels_below(pid) == kernels  # the same single kernel, none added
    assert proc.threads(pid) <= threads + 2
    assert proc.fds(pid) <= fds + 4
