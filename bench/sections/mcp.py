"""Sections 3-5 for MCP servers: ``stata_run("display 1")`` per call, the slow loop's progress, cold start.

Compared: the stata-live bridge over stdio and Streamable HTTP, and the seed baseline (progress only
when the tool returns) over stdio. Cold start: server process spawned -> first ``display 1`` result.
"""

from __future__ import annotations

import time
from typing import Any

from ..context import BenchContext, say
from ..mcpclient import Server, bridge, connect, run_async, seed
from ..spread import SLEEP_MS, STEPS, describe
from ..stats import summary
from ..workloads import stepped_loop


async def _one(ctx: BenchContext, server: Server, transport: str, calls: int) -> dict[str, Any]:
    row: dict[str, Any] = {"server": server.label, "transport": transport}
    started = time.time_ns()
    async with connect(server, transport, ctx.env(), ctx.code_root) as conn:
        first = await conn.call("display 1")
        row["start_to_first_result_s"] = round((first.done_ns - started) / 1e9, 3)
        for _ in range(10):
            await conn.call("display 1")
        samples = []
        for _ in range(calls):
            call = await conn.call("display 1")
            samples.append(call.seconds * 1000)
        row["display_1_ms"] = summary(samples)
        loop = await conn.call(stepped_loop(STEPS, SLEEP_MS))
        row["slow_loop"] = describe(loop.sent_ns, loop.done_ns, loop.progress)
    return row


def run(ctx: BenchContext) -> dict[str, Any]:
    calls = 10 if ctx.smoke else 300
    rows = []
    servers = [(bridge("stdio"), "stdio"), (bridge("http"), "http"), (seed(), "stdio")]
    if ctx.smoke:  # the bridge's plumbing is covered by the latency and throughput sections
        servers = servers[2:]
    for server, transport in servers:
        say(f"mcp: {server.label}, {calls} x display 1, slow loop")
        try:
            rows.append(run_async(_one, ctx, server, transport, calls))
        except Exception as exc:
            rows.append({"server": server.label, "transport": transport, "error": f"{type(exc).__name__}: {exc}"})
    return {"calls_per_server": calls, "rows": rows}
