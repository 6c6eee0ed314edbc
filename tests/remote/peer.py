"""Another client of the same kernel (what JupyterLab's console is): a websocket seeing all iopub."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

Message = dict[str, Any]


class KernelPeer:
    """Legacy JSON protocol on purpose: the bridge speaks v1, so both framings meet one kernel."""

    def __init__(self, conn: WebSocketClientConnection, session: str) -> None:
        self._conn = conn
        self._session = session
        self.messages: list[Message] = []
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, url: str, token: str, kernel_id: str) -> KernelPeer:
        session = uuid.uuid4().hex
        ws_url = url.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels?session_id={session}"
        conn = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}))
        return cls(conn, session)

    async def _read(self) -> None:
        while True:
            frame = await self._conn.read_message()
            if frame is None:
                return
            if isinstance(frame, str):
                self.messages.append(json.loads(frame))
                self._changed.set()

    async def wait_for(self, predicate: Callable[[Message], bool], timeout: float = 60) -> Message:
        async def find() -> Message:
            seen = 0
            while True:
                for msg in self.messages[seen:]:
                    if predicate(msg):
                        return msg
                seen = len(self.messages)
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(find(), timeout)

    def execute(self, code: str) -> str:
        """Run a cell as a notebook would; returns the request's msg_id."""
        msg_id = uuid.uuid4().hex
        self._conn.write_message(json.dumps({
            "channel": "shell",
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "notebook",
                       "session": self._session, "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        return msg_id

    def of_parent(self, msg_id: str) -> list[Message]:
        return [m for m in self.messages if m.get("parent_header", {}).get("msg_id") == msg_id]

    async def close(self) -> None:
        self._conn.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


def is_input_of(code_fragment: str) -> Callable[[Message], bool]:
    def check(msg: Message) -> bool:
        return msg.get("msg_type") == "execute_input" and code_fragment in msg["content"].get("code", "")

    return check


def is_idle_of(msg_id: str) -> Callable[[Message], bool]:
    def check(msg: Message) -> bool:
        return (msg.get("msg_type") == "status" and msg["content"].get("execution_state") == "idle"
                and msg.get("parent_header", {}).get("msg_id") == msg_id)

    return check
