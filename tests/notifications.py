"""What a test client records of a run's streamed output, whichever way it travels: progress
notifications (``ProgressLog``) or log messages (``LogLog``), plus the raw-HTTP steps the tests share.

Both logs keep arrival times relative to ``start`` and let a test wait for text, without sleeping.
"""

from __future__ import annotations

import json
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
from mcp import Client
from mcp_types import LoggingMessageNotificationParams
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS

HEARTBEAT_PREFIX = "[stata-live]"
# Five steps 0.4 s apart: output trickles in over about two seconds.
STEP_SCRIPT = """\
forvalues i = 1/5 {
    display "step `i' of 5"
    sleep 400
}
display "done"
"""
MODES = ["legacy", "auto"]  # handshake era (logging/setLevel), 2026-07-28 (logLevel in _meta)


@dataclass
class _Arrivals:
    """Timed messages; subclasses say how a notification becomes ``(time, text)`` in ``_timed``."""

    start: float = field(default_factory=time.monotonic)
    _changed: anyio.Event = field(default_factory=anyio.Event)

    def _timed(self) -> list[tuple[float, str]]:
        raise NotImplementedError

    def _arrived(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    @property
    def output(self) -> list[tuple[float, str]]:
        """Output chunks (heartbeats left out), with arrival times relative to ``start``."""
        return [(t, m) for t, m in self._timed() if not m.startswith(HEARTBEAT_PREFIX)]

    @property
    def heartbeats(self) -> list[tuple[float, str]]:
        return [(t, m) for t, m in self._timed() if m.startswith(HEARTBEAT_PREFIX)]

    @property
    def text(self) -> str:
        return "".join(m for _, m in self.output)

    def time_of(self, needle: str) -> float:
        """Arrival time of the chunk that completed the first ``needle`` (chunks split anywhere)."""
        end = self.text.index(needle) + len(needle)
        seen = 0
        for t, message in self.output:
            seen += len(message)
            if seen >= end:
                return t
        raise AssertionError("unreachable")

    async def wait_for_text(self, needle: str) -> None:
        while needle not in self.text:
            await self._changed.wait()

    async def wait_for_count(self, count: int) -> None:
        while len(self._timed()) < count:
            await self._changed.wait()


@dataclass
class ProgressLog(_Arrivals):
    """Records progress notifications as ``(time, progress, message)``: a progress callback."""

    events: list[tuple[float, float, str]] = field(default_factory=list)

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.events.append((time.monotonic() - self.start, progress, message or ""))
        self._arrived()

    def _timed(self) -> list[tuple[float, str]]:
        return [(t, m) for t, _, m in self.events]


@dataclass
class LogLog(_Arrivals):
    """Records log notifications, and those that came after the call had returned: a logging callback."""

    events: list[tuple[float, LoggingMessageNotificationParams]] = field(default_factory=list)
    after_result: list[LoggingMessageNotificationParams] = field(default_factory=list)
    returned: bool = False

    async def __call__(self, params: LoggingMessageNotificationParams) -> None:
        if self.returned:
            self.after_result.append(params)
        self.events.append((time.monotonic() - self.start, params))
        self._arrived()

    def _timed(self) -> list[tuple[float, str]]:
        return [(t, str(p.data)) for t, p in self.events]


def client_options(mode: str, logs: LogLog, level: str | None = "info") -> dict[str, Any]:
    """How the SDK client opts in: ``log_level`` stamps each 2026-07-28 request's ``_meta``."""
    options: dict[str, Any] = {"mode": mode, "logging_callback": logs}
    if mode != "legacy" and level is not None:
        options["log_level"] = level
    return options


async def opt_in(client: Client, mode: str, level: str | None = "info") -> None:
    """On handshake-era connections the level is set once, with the (deprecated) logging/setLevel."""
    if mode == "legacy":
        assert client.protocol_version in HANDSHAKE_PROTOCOL_VERSIONS
        assert client.server_capabilities.logging is not None
        if level is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # MCPDeprecationWarning: logging is deprecated at 2026-07-28
                await client.set_logging_level(level)  # type: ignore[arg-type]
    else:
        assert client.protocol_version in MODERN_PROTOCOL_VERSIONS


@dataclass
class Run:
    result: Any
    result_at: float  # seconds after the call was sent
    output: str  # the run's full log, read from its resource after the result


async def run_logged(client: Client, logs: LogLog, code: str = STEP_SCRIPT, **call: Any) -> Run:
    """One stata_run, then its full log: that round trip lets anything sent after the result show up."""
    logs.start = time.monotonic()
    result = await client.call_tool("stata_run", {"code": code}, **call)
    result_at = time.monotonic() - logs.start
    logs.returned = True
    run_id = result.structured_content["run_id"]
    output = (await client.read_resource(f"stata://runs/{run_id}/log")).contents[0].text
    return Run(result, result_at, output)


def assert_logged(logs: LogLog, run: Run) -> None:
    """Ticks during the run, spread over it, in order, the whole output, nothing after the result."""
    assert not run.result.is_error, "".join(getattr(b, "text", "") for b in run.result.content)
    assert all(p.level == "info" and p.logger == "stata" for _, p in logs.events), logs.events
    assert len(logs.output) >= 5, logs.events
    assert [t for t, _ in logs.events] == sorted(t for t, _ in logs.events)
    assert logs.time_of("step 1 of 5") < run.result_at / 2 < logs.time_of("step 5 of 5")
    assert logs.text == run.output
    assert logs.after_result == []


async def raw_session(http: httpx.AsyncClient, url: str, version: str) -> dict[str, str]:
    """No SDK: initialize at ``version`` and send ``initialized``; the headers for the session's requests."""
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    init = await http.post(url, headers=headers, json={
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw-test", "version": "0"}},
    })
    assert init.status_code == 200, init.text
    session = {**headers, "Mcp-Session-Id": init.headers["mcp-session-id"], "MCP-Protocol-Version": version}
    await http.post(url, headers=session, json={"jsonrpc": "2.0", "method": "notifications/initialized"})
    return session


async def raw_stream(http: httpx.AsyncClient, url: str, headers: dict[str, str], request: dict[str, Any]
                     ) -> tuple[httpx.Headers, list[tuple[float, dict[str, Any]]]]:
    """POST ``request``; its SSE response's headers and events, each with its arrival time after the send."""
    start = time.monotonic()
    events: list[tuple[float, dict[str, Any]]] = []
    async with http.stream("POST", url, headers=headers, json=request) as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("data:") and line[5:].strip():
                events.append((time.monotonic() - start, json.loads(line[5:])))
    return response.headers, events
