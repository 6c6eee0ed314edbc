"""MCP over raw HTTP (httpx) and raw stdio bytes, for tests that must drop connections, replay
streams or send bytes no SDK client would send."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

PROTOCOL = "2025-11-25"
ACCEPT = "application/json, text/event-stream"


@dataclass
class SseEvent:
    id: str | None = None
    event: str | None = None
    data: str = ""

    @property
    def message(self) -> dict[str, Any] | None:
        return json.loads(self.data) if self.data.strip() else None


async def sse_events(response: httpx.Response, pause_s: float = 0.0,
                     chunk: int = 65536) -> AsyncIterator[SseEvent]:
    """Parse a ``text/event-stream`` body event by event as it arrives.

    ``pause_s`` makes a slow reader: it pauses after every ``chunk`` bytes it takes from the socket.
    """
    current = SseEvent()
    data: list[str] = []
    buffer = b""
    # With a chunk size httpx holds data back until the chunk is full: only the slow reader wants that.
    async for piece in response.aiter_raw(chunk if pause_s else None):
        buffer += piece
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            line = raw.rstrip(b"\r").decode("utf-8")
            if line == "":
                if data or current.id is not None:
                    current.data = "\n".join(data)
                    yield current
                current, data = SseEvent(), []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data.append(value)
            elif name == "id":
                current.id = value
            elif name == "event":
                current.event = value
        if pause_s:
            await anyio.sleep(pause_s)


def progress_of(message: dict[str, Any] | None) -> tuple[float, str] | None:
    if message is None or message.get("method") != "notifications/progress":
        return None
    params = message["params"]
    return params["progress"], params.get("message") or ""


@dataclass
class RawSession:
    """One Streamable HTTP session driven by hand."""

    http: httpx.AsyncClient
    url: str
    protocol: str = PROTOCOL
    headers: dict[str, str] = field(default_factory=dict)
    session_id: str | None = None
    _next_id: int = 1

    def request_headers(self, **extra: str) -> dict[str, str]:
        headers = {"Accept": ACCEPT, "Content-Type": "application/json", **self.headers}
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
            headers["MCP-Protocol-Version"] = self.protocol
        headers.update(extra)
        return headers

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    async def initialize(self) -> dict[str, Any]:
        body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": self.protocol, "capabilities": {},
            "clientInfo": {"name": "stata-live-reliability", "version": "0"}}}
        async with self.http.stream("POST", self.url, json=body, headers=self.request_headers()) as response:
            response.raise_for_status()
            self.session_id = response.headers["mcp-session-id"]
            result = await final_message(response)
        note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        (await self.http.post(self.url, json=note, headers=self.request_headers())).raise_for_status()
        return result

    @asynccontextmanager
    async def call(self, name: str, arguments: dict[str, Any], progress_token: str | None = None,
                   request_id: int | None = None) -> AsyncIterator[httpx.Response]:
        params: dict[str, Any] = {"name": name, "arguments": arguments}
        if progress_token is not None:
            params["_meta"] = {"progressToken": progress_token}
        body = {"jsonrpc": "2.0", "id": request_id or self.next_id(), "method": "tools/call", "params": params}
        async with self.http.stream("POST", self.url, json=body, headers=self.request_headers()) as response:
            yield response

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        async with self.call(name, arguments) as response:
            response.raise_for_status()
            return await final_message(response)


async def final_message(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC response of a POST, whether sent as JSON or as the last SSE event."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return json.loads(await response.aread())
    async for event in sse_events(response):
        message = event.message
        if message is not None and "id" in message and ("result" in message or "error" in message):
            return message
    raise AssertionError("the stream ended without a response")


def result_text(message: dict[str, Any]) -> str:
    return "".join(block.get("text", "") for block in message["result"]["content"])


class RawStdio:
    """A bridge over stdio driven with raw bytes (one JSON-RPC message per line)."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: str) -> None:
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stderr: list[bytes] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self._next_id = 100

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)

    def send_raw(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(json.dumps(message).encode() + b"\n")

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise EOFError("the bridge closed stdout:\n" + b"".join(self.stderr).decode(errors="replace"))
        return json.loads(line)

    def read_response(self, request_id: Any) -> dict[str, Any]:
        """Skip notifications until the response to ``request_id`` (or an id-less error) arrives."""
        while True:
            message = self.read()
            if message.get("id") == request_id and ("result" in message or "error" in message):
                return message
            if message.get("id") is None and "error" in message:
                return message

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._next_id += 1
        self.send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params or {}})
        return self.read_response(self._next_id)

    def initialize(self) -> None:
        self.request("initialize", {"protocolVersion": PROTOCOL, "capabilities": {},
                                    "clientInfo": {"name": "raw", "version": "0"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def close(self) -> int | None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        return self.process.returncode
