"""Soak: many tool calls in a row over stdio, and 8 concurrent MCP sessions over HTTP sharing one
kernel (serialised, each getting its own result). Memory stays flat (within 20 MB after warm-up),
no descriptors, threads or processes pile up. ``STATA_LIVE_SOAK=full`` runs the full sizes (1000
calls; 8 sessions x 125 calls); the default is a bounded version for every test run."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import anyio
import pytest

from tests.bridge.helpers import ROOT, HttpBridge, bridge_command, text_of

from . import proc
from .rawmcp import RawStdio

FULL = os.environ.get("STATA_LIVE_SOAK") == "full"
STDIO_CALLS = 1000 if FULL else 200
SESSIONS = 8
ROUNDS = 3  # growth is judged between rounds: the first round warms pools (threads, sockets)
CALLS_PER_SESSION = 42 if FULL else 5
WARM_UP = 20
RSS_SLACK_MB = 20


def _snapshot(pid: int) -> dict[str, float]:
    kernels = proc.kernels_of(pid)
    return {"bridge_rss_mb": proc.rss_mb(pid), "fds": proc.fds(pid), "threads": proc.threads(pid),
            "kernels": len(kernels), "kernel_rss_mb": sum(proc.rss_mb(k) for k in kernels)}


def _fds_settle(pid: int, limit: int, timeout: float = 10) -> int:
    """Descriptors of connections clients just closed go away when the server notices: poll /proc
    until the count is within ``limit`` (a condition with a deadline); return the last count."""
    deadline = time.monotonic() + timeout
    count = proc.fds(pid)
    while count > limit and time.monotonic() < deadline:
        time.sleep(0.05)
        count = proc.fds(pid)
    return count


def _call(bridge: RawStdio, i: int) -> None:
    """One of a mix of calls, its answer checked."""
    kind = i % 5
    if kind == 0:
        answer = bridge.request("tools/call", {"name": "stata_run", "arguments": {"code": f"display {i} * 2"}})
        assert json.dumps(answer["result"]["content"]).count(str(i * 2)) >= 1, answer
    elif kind == 1:
        code = f'sysuse auto, clear\nsummarize price\ndisplay "call {i}"'
        answer = bridge.request("tools/call", {"name": "stata_run", "arguments": {"code": code}})
        assert not answer["result"]["isError"] and f"call {i}" in json.dumps(answer["result"])
    elif kind == 2:
        answer = bridge.request("tools/call", {"name": "stata_results", "arguments": {"kind": "r"}})
        assert not answer["result"].get("isError"), answer
    elif kind == 3:
        answer = bridge.request("tools/call", {"name": "stata_run", "arguments": {"code": "no_such_command"}})
        assert answer["result"]["isError"] and "r(199)" in json.dumps(answer["result"])
    else:
        answer = bridge.request("tools/call", {"name": "stata_describe", "arguments": {}})
        assert not answer["result"].get("isError"), answer


@pytest.mark.slow
def test_many_calls_in_a_row_over_stdio_keep_memory_flat(bridge_env: dict[str, str], figures) -> None:
    bridge = RawStdio(bridge_command(), env=bridge_env, cwd=str(ROOT))
    try:
        bridge.initialize()
        for i in range(WARM_UP):
            _call(bridge, i)
        before = _snapshot(bridge.process.pid)
        started = time.monotonic()
        for i in range(WARM_UP, STDIO_CALLS):
            _call(bridge, i)
        elapsed = time.monotonic() - started
        after = _snapshot(bridge.process.pid)
    finally:
        bridge.close()
    figures["calls"] = STDIO_CALLS
    figures["calls_per_s"] = (STDIO_CALLS - WARM_UP) / elapsed
    figures["before"] = before
    figures["after"] = after
    assert after["bridge_rss_mb"] - before["bridge_rss_mb"] < RSS_SLACK_MB
    assert after["kernel_rss_mb"] - before["kernel_rss_mb"] < RSS_SLACK_MB
    assert after["fds"] <= before["fds"] and after["threads"] <= before["threads"] + 2
    assert after["kernels"] == before["kernels"] == 1


@pytest.fixture(scope="module")
def soak_bridge(bridge_env: dict[str, str]) -> Iterator[HttpBridge]:
    bridge = HttpBridge(env=bridge_env, transport="http")
    try:
        yield bridge
    finally:
        bridge.stop()


async def _session(bridge: HttpBridge, number: int, calls: int, done: list[float]) -> None:
    async with bridge.client() as client:
        for i in range(calls):
            value = number * 100_000 + i
            result = await client.call_tool("stata_run", {"code": f"scalar mine = {value}\ndisplay mine"})
            shown = [line for line in text_of(result).splitlines() if line.strip().isdigit()]
            assert shown == [str(value)], (number, i, text_of(result))
            done.append(time.monotonic())


@pytest.mark.slow
async def test_eight_concurrent_http_sessions_share_one_kernel_serialised(soak_bridge: HttpBridge, figures) -> None:
    pid = soak_bridge.process.pid
    warm: list[float] = []
    await _session(soak_bridge, 99, WARM_UP, warm)
    before = _snapshot(pid)
    done: list[float] = []
    rounds = []
    started = time.monotonic()
    for _ in range(ROUNDS):
        async with anyio.create_task_group() as tg:
            for number in range(SESSIONS):
                tg.start_soon(_session, soak_bridge, number, CALLS_PER_SESSION, done)
        rounds.append(_snapshot(pid))
    elapsed = time.monotonic() - started
    figures["sessions"] = SESSIONS
    figures["calls"] = len(done)
    figures["calls_per_s"] = len(done) / elapsed
    figures["before"] = before
    figures["after_each_round"] = rounds
    assert len(done) == ROUNDS * SESSIONS * CALLS_PER_SESSION
    assert rounds[-1]["bridge_rss_mb"] - before["bridge_rss_mb"] < RSS_SLACK_MB
    settling = time.monotonic()
    settled = _fds_settle(pid, before["fds"] + 2)
    figures["fds_settled"] = settled
    figures["fds_settled_in_s"] = time.monotonic() - settling
    assert settled <= before["fds"] + 2, "descriptors grow with every round of sessions"
    # The policy check runs in anyio's worker threads (mcp_bridge/policy.py): up to one per concurrent
    # call, idle ones exit after 10 s. Bounded by the concurrency, not by the number of calls.
    assert all(r["threads"] <= before["threads"] + SESSIONS + 2 for r in rounds)
    assert all(r["kernels"] == 1 for r in rounds)
