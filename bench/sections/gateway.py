"""Section 6: the bridge on a Jupyter Kernel Gateway (``--server-url``), over stdio.

A ``jupyter kernelgateway`` 3.x runs on a free loopback port with a token (kernels inherit its
environment: the simulated Stata and its emission log); the bridge starts its kernel there. Figures:
the per-piece latency of the same probe as section 1 (emission -> progress at the client), the slow
loop's first progress after the call, and ``stata_interrupt``: sent -> answered (it answers once the
run has stopped). Skipped when ``jupyter_kernel_gateway`` is not installed (the ``test`` extra has it).
"""

from __future__ import annotations

import importlib.util
import re
import secrets
import socket
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio

from mcp_bridge.launch import server_process

from ..context import BenchContext, say
from ..emitlog import EmitLog, latencies_ms, main_run
from ..mcpclient import KERNEL_NAME, Connection, Server, connect, run_async
from ..paths import PYTHON
from ..spread import SLEEP_MS, STEPS, describe
from ..stats import summary
from ..workloads import latency_probe, stepped_loop

_AVAILABLE_AT = re.compile(r"Kernel Gateway \S+ is available at (http://127\.0\.0\.1:\d+)")
_LONG_LOOP = 'forvalues i = 1/600 {\n    display "tick `i\'"\n    sleep 100\n}'


@asynccontextmanager
async def _gateway(env: Mapping[str, str], token: str) -> AsyncIterator[str]:
    """A Kernel Gateway process; yields its URL (it reports port 0 as 0, so a free port is picked first)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [PYTHON, "-m", "kernel_gateway", "--KernelGatewayApp.ip=127.0.0.1", f"--KernelGatewayApp.port={port}",
               f"--KernelGatewayApp.auth_token={token}",
               "--ZMQChannelsWebsocketConnection.iopub_data_rate_limit=1e10"]
    async with server_process(command, env=env, announces=_AVAILABLE_AT, what="the Kernel Gateway", timeout=60,
                              stop_timeout=30) as (url, _pid):
        yield url


async def _interrupt_ms(conn: Connection) -> float:
    """stata_interrupt sent while a loop prints -> its answer (given once the run has stopped)."""
    ticking = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if message and "tick 2" in message:
            ticking.set()

    took: list[float] = []
    async with anyio.create_task_group() as tg:
        async def run() -> None:
            await conn.client.call_tool("stata_run", {"code": _LONG_LOOP}, progress_callback=on_progress)

        tg.start_soon(run)
        await ticking.wait()
        sent = time.perf_counter()
        await conn.client.call_tool("stata_interrupt", {})
        took.append((time.perf_counter() - sent) * 1000)
    return took[0]


async def _measure(ctx: BenchContext, runs: int, lines: int) -> dict[str, Any]:
    log = EmitLog(ctx.path("emit-gateway.log"))
    token = secrets.token_urlsafe(16)
    async with _gateway(ctx.env(log.path), token) as url:
        bridge = Server("stata-live bridge via Kernel Gateway (stdio)",
                        ["-m", "mcp_bridge", "--heartbeat", "3600", "--log-level", "WARNING", "--kernel-name",
                         KERNEL_NAME, "--server-url", url, "--token", token], "mcp_bridge")
        bridge_env = {k: v for k, v in ctx.env().items() if k not in ("STATA_DIR", "STATA_EDITION")}
        async with connect(bridge, "stdio", bridge_env, ctx.code_root) as conn:
            cold = await conn.call("display 1")
            samples: list[float] = []
            missing = 0
            for _ in range(runs):
                log.mark()
                call = await conn.call(latency_probe(lines))
                lat, miss = latencies_ms(main_run(log.pieces_since_mark()), call.cumulative_arrivals())
                samples += lat
                missing += miss
            loop = await conn.call(stepped_loop(STEPS, SLEEP_MS))
            interrupts = [await _interrupt_ms(conn) for _ in range(runs)]
    return {
        "first_call_s": round(cold.seconds, 3),
        "latency_ms": {**summary(samples), "pieces_never_arrived": missing},
        "slow_loop": describe(loop.sent_ns, loop.done_ns, loop.progress),
        "interrupt_ms": summary(interrupts),
    }


def run(ctx: BenchContext) -> dict[str, Any]:
    if importlib.util.find_spec("kernel_gateway") is None:
        return {"skipped": "jupyter_kernel_gateway is not installed (pip install 'stata-live[test]')"}
    runs, lines = (1, 60) if ctx.smoke else (3, 400)
    say(f"gateway: Kernel Gateway, {runs} x {lines}-line probe, slow loop, {runs} x stata_interrupt")
    workload = f"forvalues loop, {lines} lines, sleep 5 ms each, {runs} run(s)"
    return {"workload": workload, **run_async(_measure, ctx, runs, lines)}
