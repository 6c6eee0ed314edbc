"""The small pieces ``WebsocketClient`` is made of: per-channel queues read like jupyter_client's
channels, its heartbeat, and the waiter for its own requests' replies."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol


class _Client(Protocol):
    gone: bool

    def send(self, channel: str, msg: dict[str, Any]) -> None: ...


class QueueChannel:
    """One Jupyter channel over the shared websocket: ``get_msg`` like jupyter_client's channels."""

    def __init__(self, name: str, client: _Client) -> None:
        self.name = name
        self._client = client
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        if timeout is None:
            return await self.queue.get()
        return await asyncio.wait_for(self.queue.get(), timeout)

    def send(self, msg: dict[str, Any]) -> None:
        self._client.send(self.name, msg)


class Heartbeat:
    def __init__(self, client: _Client) -> None:
        self._client = client

    def is_beating(self) -> bool:
        return not self._client.gone


class ReplyWaiter:
    """The reply (and optionally the idle status) of one of ``WebsocketClient``'s own requests."""

    def __init__(self, wait_idle: bool) -> None:
        self.reply: dict[str, Any] | None = None
        self.idle = not wait_idle
        self.done = asyncio.Event()

    def feed(self, channel: str, msg: dict[str, Any]) -> None:
        if channel in ("shell", "control") and msg["msg_type"].endswith("_reply"):
            self.reply = msg
        elif channel == "iopub" and msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
            self.idle = True
        if self.reply is not None and self.idle:
            self.done.set()
