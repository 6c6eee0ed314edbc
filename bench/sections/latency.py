"""Section 1: emitted piece -> client arrival, for the kernel (iopub stream) and the bridge (progress, and
log messages to a client that only set a log level, in each protocol era).

The simulator logs each piece's emission time and the run's cumulative character count; the client
logs each message's arrival time and its own cumulative count. Latency of a piece = arrival of the
first message covering its last character - its emission (stamped just before the simulator's
``print()``, so whatever a kernel does inside the write is counted).
"""

from __future__ import annotations

from typing import Any, Literal

from mcp_types import LoggingLevel

from .. import peers
from ..context import BenchContext, say
from ..emitlog import EmitLog, latencies_ms, main_run
from ..kernelclient import KernelSession
from ..mcpclient import bridge, connect, run_async
from ..stats import summary
from ..workloads import latency_probe


def _kernel(ctx: BenchContext, code: str, runs: int) -> dict[str, Any]:
    log = EmitLog(ctx.path("emit-kernel.log"))
    samples: list[float] = []
    missing = 0
    with KernelSession(peers.ours(), ctx.path("kernels-latency"), ctx.env(log.path), ctx.code_root) as session:
        session.run("display 1")
        for _ in range(runs):
            log.mark()
            cell = session.run(code)
            lat, miss = latencies_ms(main_run(log.pieces_since_mark()), cell.cumulative_arrivals())
            samples += lat
            missing += miss
    return {**summary(samples), "pieces_never_arrived": missing}


async def _mcp(
    ctx: BenchContext, transport: str, code: str, runs: int, via: Literal["progress", "log"] = "progress",
    mode: Literal["auto", "legacy"] = "auto",
) -> dict[str, Any]:
    """``via="log"``: a client that sends no progressToken and only set a log level (2026-07-28 ``_meta``,
    or ``logging/setLevel`` with ``mode="legacy"``)."""
    log = EmitLog(ctx.path(f"emit-mcp-{via}-{mode}-{transport}.log"))
    samples: list[float] = []
    firsts: list[float] = []  # the first piece of each run: what a user waits for before seeing anything
    missing = 0
    level: LoggingLevel | None = "info" if via == "log" else None
    async with connect(bridge(transport), transport, ctx.env(log.path), ctx.code_root, log_level=level,
                       mode=mode) as conn:
        await conn.call("display 1", via=via)
        for _ in range(runs):
            log.mark()
            call = await conn.call(code, via=via)
            lat, miss = latencies_ms(main_run(log.pieces_since_mark()), call.cumulative_arrivals())
            samples += lat
            firsts += lat[:1]
            missing += miss
    return {**summary(samples), "first_piece_ms": max(firsts) if firsts else None, "pieces_never_arrived": missing}


def run(ctx: BenchContext) -> dict[str, Any]:
    lines, runs = (60, 1) if ctx.smoke else (400, 3)
    code = latency_probe(lines)
    say(f"latency: kernel, {runs} x {lines} lines")
    result: dict[str, Any] = {"workload": f"forvalues loop, {lines} lines, sleep 5 ms each, {runs} run(s)"}
    result["kernel"] = _kernel(ctx, code, runs)
    for transport in ("stdio", "http"):
        say(f"latency: MCP over {transport}")
        result[f"mcp_{transport}"] = run_async(_mcp, ctx, transport, code, runs)
    for transport in ("stdio", "http"):
        say(f"latency: MCP log messages over {transport}")
        result[f"mcp_log_{transport}"] = run_async(_mcp, ctx, transport, code, runs, "log")
    for transport in ("stdio", "http"):
        say(f"latency: MCP log messages over {transport}, handshake era (logging/setLevel)")
        result[f"mcp_log_legacy_{transport}"] = run_async(_mcp, ctx, transport, code, runs, "log", "legacy")
    return result
