"""The bounded event store on its own: limits hold, replays are complete while the client's last event
is kept, and never cross sessions."""

from __future__ import annotations

from mcp.server.streamable_http import EventMessage
from mcp_types import JSONRPCNotification

from mcp_bridge.event_store import _SESSION, BoundedEventStore, SessionTag


def note(text: str) -> JSONRPCNotification:
    return JSONRPCNotification(jsonrpc="2.0", method="notifications/progress",
                               params={"progressToken": "t", "progress": 1, "message": text})


async def replay(store: BoundedEventStore, last: str) -> tuple[str | None, list[str]]:
    sent: list[EventMessage] = []

    async def collect(event: EventMessage) -> None:
        sent.append(event)

    stream = await store.replay_events_after(last, collect)
    return stream, [e.message.params["message"] for e in sent]  # type: ignore[union-attr]


async def test_replay_sends_the_events_after_the_last_one_of_that_stream_only() -> None:
    store = BoundedEventStore()
    first = await store.store_event("1", None)  # priming event
    await store.store_event("1", note("a"))
    await store.store_event("2", note("other stream"))
    await store.store_event("1", note("b"))
    assert await replay(store, first) == ("1", ["a", "b"])


async def test_limits_evict_the_oldest_events() -> None:
    store = BoundedEventStore(max_events=1000, max_bytes=50_000)
    for i in range(2000):
        await store.store_event("1", note(f"{i:05d}" + "x" * 100))
    assert store.count <= 1000 and store.size_bytes <= 50_000 and store.evicted > 0
    # The client's last event was evicted: what is left of its stream is replayed (gap visible).
    stream, messages = await replay(store, "5/1")
    assert stream == "1" and messages and messages[-1].startswith("01999")


async def test_unknown_or_future_event_ids_replay_nothing() -> None:
    store = BoundedEventStore()
    await store.store_event("1", note("a"))
    assert await replay(store, "garbage") == (None, [])
    assert await replay(store, "99/1") == (None, [])


async def test_replay_never_returns_another_sessions_events() -> None:
    store = BoundedEventStore()
    token = _SESSION.set(SessionTag("session-a"))
    first = await store.store_event("1", None)
    await store.store_event("1", note("secret of a"))
    _SESSION.reset(token)
    token = _SESSION.set(SessionTag("session-b"))
    await store.store_event("1", note("of b"))
    assert await replay(store, first) == ("1", ["of b"])
    _SESSION.reset(token)
