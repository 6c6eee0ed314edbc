"""Sections 3-5 for MCP servers: ``stata_run("display 1")`` per call, the slow loop's progress, cold start.

Compared: the stata-live bridge over stdio and Streamable HTTP, and the seed baseline (progress only
when the tool returns) over stdio. Cold start: server process spawned -> first ``display 1`` result.

Breakdown (bridge rows): interleaved with the calls, an MCP ``tools/list`` (SDK client and transport round
trip, no kernel; the bridge answers no ``ping``) and a bare jupyter_client execute round trip to the bridge's
own kernel (its connection file read from the kernel's command line): bridge and result building = call -
tools/list - kernel round trip.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient

from ..context import BenchContext, say
from ..mcpclient import Connection, Server, bridge, connect, run_async, seed
from ..procs import cmdline, find_descendant
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
        kernel = _bridge_kernel(conn) if server.needle == "mcp_bridge" else None
        samples: list[float] = []
        sdk: list[float] = []
        bare: list[float] = []
        for _ in range(calls):
            call = await conn.call("display 1")
            samples.append(call.seconds * 1000)
            if kernel is not None:
                listed = time.perf_counter()
                await conn.client.list_tools()
                sdk.append((time.perf_counter() - listed) * 1000)
                bare.append(_bare_round_trip_ms(kernel))
        row["display_1_ms"] = summary(samples)
        if kernel is not None:
            kernel.stop_channels()
            row["breakdown_ms"] = _breakdown(samples, sdk, bare)
        loop = await conn.call(stepped_loop(STEPS, SLEEP_MS))
        row["slow_loop"] = describe(loop.sent_ns, loop.done_ns, loop.progress)
    return row


def _bridge_kernel(conn: Connection) -> BlockingKernelClient | None:
    """A second client of the kernel the bridge started (found among the bridge's children)."""
    if conn.pid is None:
        return None
    pid = find_descendant(conn.pid, "stata_kernel")
    argv = cmdline(pid).split() if pid is not None else []
    if "-f" not in argv or argv.index("-f") + 1 >= len(argv):
        return None
    client = BlockingKernelClient()
    client.load_connection_file(Path(argv[argv.index("-f") + 1]))
    client.start_channels()
    client.wait_for_ready(60)
    for _ in range(10):
        _bare_round_trip_ms(client)
    return client


def _bare_round_trip_ms(client: BlockingKernelClient) -> float:
    """execute_request -> both its reply and its idle status, as the bridge waits for them."""
    started = time.perf_counter()
    msg_id = client.execute("display 1", store_history=False)
    replied = idle = False
    while not (replied and idle):
        if not replied:
            reply = client.get_shell_msg(timeout=60)
            replied = reply["parent_header"].get("msg_id") == msg_id
        if not idle:
            msg = client.get_iopub_msg(timeout=60)
            idle = (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle")
    return (time.perf_counter() - started) * 1000


def _breakdown(calls: list[float], sdk: list[float], bare: list[float]) -> dict[str, Any]:
    call, sdk_rt, kernel = (summary(x)["p50"] for x in (calls, sdk, bare))
    return {"stata_run_p50": call, "sdk_list_tools_p50": sdk_rt, "bare_kernel_round_trip_p50": kernel,
            "bridge_and_results_p50": round(call - sdk_rt - kernel, 3)}


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
    seed_p50 = next((r["display_1_ms"]["p50"] for r in rows if "seed" in r["server"] and "display_1_ms" in r), None)
    for row in rows:
        parts = row.get("breakdown_ms")
        if parts is not None and seed_p50 is not None:
            goal = seed_p50 + 1.1 * parts["bare_kernel_round_trip_p50"]
            parts["goal_p50"] = round(goal, 3)  # issue 14: seed-style call + 1.1 x a bare kernel round trip
            parts["vs_goal"] = round(parts["stata_run_p50"] / goal, 3)
            say(f"mcp: {row['server']}: stata_run p50 {parts['stata_run_p50']} ms"
                f" = tools/list {parts['sdk_list_tools_p50']}"
                f" + kernel {parts['bare_kernel_round_trip_p50']} + bridge/results {parts['bridge_and_results_p50']};"
                f" goal {parts['goal_p50']} (seed {seed_p50}), ratio {parts['vs_goal']}")
    return {"calls_per_server": calls, "rows": rows}
