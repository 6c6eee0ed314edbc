"""MCP servers under test (the bridge, the seed baseline) and the official SDK client talking to them.

stdio: the SDK client spawns the server; its pid is found among our descendants. Streamable HTTP:
we spawn the server on a free port and read its URL from the ``listening on`` line on stderr.
Progress arrival times are ``time.time_ns()`` taken in the client's progress callback. A client made
with ``log_level`` (``connect(..., log_level="info")``) can instead follow a call through log messages
(``call(code, via="log")``: no progressToken, so the bridge streams ``notifications/message``), timed
the same way in its logging callback.
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import LoggingLevel, LoggingMessageNotificationParams

from mcp_bridge.launch import http_bridge_process

from .emitlog import cumulative
from .paths import PYTHON, REPO
from .procs import find_descendant

HEARTBEAT_PREFIX = "[stata-live]"
KERNEL_NAME = "bench-stata-live"  # kernelspec written by BenchContext into $JUPYTER_PATH


@dataclass
class Server:
    """How to start one MCP server: argv after the interpreter, and whether it speaks HTTP."""

    label: str
    args: Sequence[str]
    needle: str  # identifies its process among our descendants


def bridge(transport: str) -> Server:
    args = ["-m", "mcp_bridge", "--heartbeat", "3600", "--log-level", "WARNING", "--kernel-name", KERNEL_NAME]
    if transport == "http":
        args += ["--transport", "http", "--port", "0"]
    return Server(f"stata-live bridge ({transport})", args, "mcp_bridge")


def attached_bridge(connection_file: str) -> Server:
    """The bridge over stdio attached to a kernel the bench started (``--connection-file``), so a bare
    client can time round trips to the very kernel the bridge uses."""
    args = ["-m", "mcp_bridge", "--heartbeat", "3600", "--log-level", "WARNING", "--connection-file", connection_file]
    return Server("stata-live bridge (stdio, attached)", args, "mcp_bridge")


def seed() -> Server:
    return Server("seed baseline (progress at return)", [str(REPO / "bench" / "baselines" / "seed_server.py")],
                  "seed_server.py")


@dataclass
class Call:
    """One tools/call as the client saw it."""

    sent_ns: int
    done_ns: int = 0
    # (arrival time_ns, message) of the output notifications: progress, or log messages with via="log"
    progress: list[tuple[int, str]] = field(default_factory=list)
    heartbeats: int = 0
    is_error: bool = False
    result_text: str = ""

    @property
    def text(self) -> str:
        return "".join(m for _, m in self.progress)

    @property
    def seconds(self) -> float:
        return (self.done_ns - self.sent_ns) / 1e9

    def cumulative_arrivals(self) -> list[tuple[int, int]]:
        return cumulative(self.progress)

    def arrived(self, now: int, message: str | None) -> None:
        if message and message.startswith(HEARTBEAT_PREFIX):
            self.heartbeats += 1
        elif message:
            self.progress.append((now, message))


class LogRouter:
    """The client's logging callback: log messages go to the call in progress (one at a time)."""

    def __init__(self) -> None:
        self.current: Call | None = None

    async def __call__(self, params: LoggingMessageNotificationParams) -> None:
        now = time.time_ns()
        if self.current is not None and isinstance(params.data, str):
            self.current.arrived(now, params.data)


@dataclass
class Connection:
    client: Client
    pid: int | None
    started_ns: int
    logs: LogRouter = field(default_factory=LogRouter)

    async def call(self, code: str, timeout: float = 600, via: Literal["progress", "log"] = "progress") -> Call:
        call = Call(sent_ns=time.time_ns())

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            call.arrived(time.time_ns(), message)

        self.logs.current = call if via == "log" else None
        try:
            result = await self.client.call_tool("stata_run", {"code": code}, read_timeout_seconds=timeout,
                                                 progress_callback=on_progress if via == "progress" else None)
        finally:
            self.logs.current = None
        call.done_ns = time.time_ns()
        call.is_error = bool(result.is_error)
        call.result_text = "".join(getattr(block, "text", "") for block in result.content)
        return call


    async def no_op_seconds(self) -> float:
        """A ``tools/call`` of a tool the server does not have: what the SDK client, the transport and the
        server's dispatch cost, without any tool work (2026-07-28 servers have no ``ping``)."""
        started = time.perf_counter_ns()
        with contextlib.suppress(MCPError):
            await self.client.call_tool("bench_no_such_tool", {})
        return (time.perf_counter_ns() - started) / 1e9


@asynccontextmanager
async def connect(
    server: Server, transport: str, env: Mapping[str, str], cwd: Path, log_level: LoggingLevel | None = None,
    mode: Literal["auto", "legacy"] = "auto",
) -> AsyncIterator[Connection]:
    """``log_level`` opts the client in to log messages: on every request's ``_meta`` (2026-07-28, which
    ``mode="auto"`` negotiates with the bridge), or once with ``logging/setLevel`` (``mode="legacy"``:
    the handshake era, which most clients in use today speak)."""
    started = time.time_ns()
    logs = LogRouter()
    options: dict[str, Any] = {"read_timeout_seconds": 600, "logging_callback": logs, "log_level": log_level,
                               "mode": mode}
    if transport == "stdio":
        params = StdioServerParameters(command=PYTHON, args=list(server.args), env=dict(env), cwd=str(cwd))
        async with Client(params, **options) as client:
            await _set_level(client, mode, log_level)
            yield Connection(client, find_descendant(os.getpid(), server.needle), started, logs)
        return
    async with _http_server(server, env, cwd) as (url, pid), \
            Client(streamable_http_client(url), **options) as client:
        await _set_level(client, mode, log_level)
        yield Connection(client, pid, started, logs)


async def _set_level(client: Client, mode: str, level: LoggingLevel | None) -> None:
    if mode == "legacy" and level is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # MCPDeprecationWarning: logging is deprecated at 2026-07-28
            await client.set_logging_level(level)


def _http_server(server: Server, env: Mapping[str, str], cwd: Path) -> AbstractAsyncContextManager[tuple[str, int]]:
    return http_bridge_process([PYTHON, *server.args], env=env, cwd=str(cwd))


def run_async(fn: Any, *args: Any) -> Any:
    return anyio.run(fn, *args)
