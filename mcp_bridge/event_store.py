"""A bounded in-memory ``EventStore``: Streamable HTTP clients that lose their connection mid-run
reconnect with ``Last-Event-ID`` and get every notification they missed (protocol 2025-11-25+).

Every message the server sends on a stream is kept, oldest evicted first once the store holds more
than ``max_events`` events or about ``max_bytes`` of message text, so a flood cannot grow memory
without bound. Eviction is global FIFO: when the client's last event is still stored, everything
after it is too, and the replay is complete. When it was evicted (a client gone for long during a
flood), the stream is read from the event id itself and what is left of it is replayed; the gap is
visible to the client in the ``progress`` counter, and the full output stays in the run's log
resource (``stata://runs/{run_id}/log``).

One store serves every HTTP session, and the SDK names a stream by its JSON-RPC request id only,
which two sessions can share ("1", "2", ...). ``SessionTagging`` (ASGI middleware) tags each request
with its ``Mcp-Session-Id``; the session's message router inherits the tag of the request that opened
the session, so every stored event knows its session, and a replay only ever sends events of the
session that asks.
"""

from __future__ import annotations

import contextvars
import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

from mcp.server.streamable_http import EventCallback, EventId, EventMessage, EventStore, StreamId
from mcp_types import JSONRPCMessage
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

DEFAULT_MAX_EVENTS = 10_000
DEFAULT_MAX_BYTES = 8 * 1024 * 1024  # --event-store-bytes
_OVERHEAD = 200  # bytes counted per event besides its strings (ids, envelope)


class SessionTag:
    """Which HTTP session a request belongs to; filled in from the response for an opening request."""

    __slots__ = ("session_id",)

    def __init__(self, session_id: str | None = None) -> None:
        self.session_id = session_id


_SESSION: contextvars.ContextVar[SessionTag | None] = contextvars.ContextVar("mcp_http_session", default=None)


class SessionTagging:
    """Sets the session tag for each HTTP request (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        supplied = dict(scope.get("headers") or []).get(b"mcp-session-id")
        tag = SessionTag(supplied.decode("latin-1") if supplied else None)
        token = _SESSION.set(tag)

        async def send_tagging(message: Message) -> None:
            if message["type"] == "http.response.start" and tag.session_id is None:
                for key, value in message.get("headers", []):
                    if key.lower() == b"mcp-session-id":
                        tag.session_id = value.decode("latin-1")
            await send(message)

        try:
            await self._app(scope, receive, send_tagging)
        finally:
            _SESSION.reset(token)


@dataclass(frozen=True)
class _Event:
    number: int
    stream_id: StreamId
    session: SessionTag | None
    message: JSONRPCMessage | None  # None: a priming event (only marks a position)
    size: int


def _event_id(number: int, stream_id: StreamId) -> EventId:
    # The stream is part of the id so a replay can find it even after the event was evicted.
    return f"{number}/{stream_id}"


def _parse_event_id(event_id: EventId) -> tuple[int, StreamId] | None:
    number, sep, stream_id = event_id.partition("/")
    if not sep or not number.isdigit():
        return None
    return int(number), stream_id


def _session_id(tag: SessionTag | None) -> str | None:
    return None if tag is None else tag.session_id


def _text_size(value: Any, depth: int = 0) -> int:
    """Rough size of a message: its strings, walked shallowly (no serialisation on the hot path)."""
    if isinstance(value, str):
        return len(value)
    if depth > 6:
        return 0
    if isinstance(value, dict):
        return sum(len(str(k)) + _text_size(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sum(_text_size(v, depth + 1) for v in value)
    if hasattr(value, "__dict__"):
        return _text_size(vars(value), depth + 1)
    return 8


class BoundedEventStore(EventStore):
    """Keeps the latest events of every stream within an event count and a byte budget."""

    def __init__(self, max_events: int = DEFAULT_MAX_EVENTS, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_events < 1 or max_bytes < 1:
            raise ValueError("max_events and max_bytes must be positive")
        self._max_events = max_events
        self._max_bytes = max_bytes
        self._events: deque[_Event] = deque()
        self._next = 1
        self._bytes = 0
        self.evicted = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    @property
    def count(self) -> int:
        # Not __len__: the SDK tests the store for truth (`if self._event_store:`), so it must never be falsy.
        return len(self._events)

    async def store_event(self, stream_id: StreamId, message: JSONRPCMessage | None) -> EventId:
        number = self._next
        self._next += 1
        size = _OVERHEAD + (0 if message is None else _text_size(message))
        self._events.append(_Event(number, stream_id, _SESSION.get(), message, size))
        self._bytes += size
        while self._events and (len(self._events) > self._max_events or self._bytes > self._max_bytes):
            old = self._events.popleft()
            self._bytes -= old.size
            self.evicted += 1
        return _event_id(number, stream_id)

    async def replay_events_after(self, last_event_id: EventId, send_callback: EventCallback) -> StreamId | None:
        parsed = _parse_event_id(last_event_id)
        if parsed is None:
            log.info("replay asked for an unknown event id %r", last_event_id)
            return None
        number, stream_id = parsed
        if number >= self._next:
            return None
        oldest = self._events[0].number if self._events else self._next
        if number < oldest - 1:
            log.warning(
                "replay of stream %s from event %d: events up to %d were evicted (store limits); "
                "replaying what is left", stream_id, number, oldest - 1,
            )
        # Snapshot first: sending awaits, and new events may be stored (and old ones evicted) meanwhile.
        session = _session_id(_SESSION.get())
        missed = [
            e for e in self._events
            if e.number > number and e.stream_id == stream_id and _session_id(e.session) == session
        ]
        for event in missed:
            if event.message is not None:
                await send_callback(EventMessage(event.message, _event_id(event.number, event.stream_id)))
        return stream_id
