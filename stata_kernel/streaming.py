"""Forwarding output pieces without delay and without a fixed batching window."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Schedule = Callable[[Callable[[], None]], Any]
"""Runs a callable on the sending thread (e.g. a one-worker executor's ``submit``)."""

# Characters that may wait for the send in progress; past this a writer waits for room (back-pressure:
# Stata's output is drained more slowly, never dropped, and the kernel's memory stays bounded).
DEFAULT_MAX_PENDING_CHARS = 4_000_000


class Coalescer:
    """Sends each piece at once; only what arrives while a send is in progress is joined into the next.

    Writers may be on any thread (the engine's output pump, the worker draining the tail). Ordering is
    kept because exactly one drain runs at a time and takes everything pending in arrival order.

    With ``schedule``, sends happen on the thread it names instead of the writer's. The kernel sends on the
    writer's thread: its writers are long-lived (the engine's output pump, the Stata worker, the event loop),
    which matters because ipykernel's IOPub socket keeps a ZMQ pipe per thread that ever sent.

    At most ``max_pending`` characters wait while a send is in progress: a writer that would pass it
    blocks until the sender has taken the queue (never the sending thread itself, so no deadlock).
    """

    def __init__(
        self,
        send: Callable[[str], None],
        schedule: Schedule | None = None,
        max_pending: int = DEFAULT_MAX_PENDING_CHARS,
    ) -> None:
        self._send = send
        self._schedule = schedule
        self._max_pending = max_pending
        self._lock = threading.Condition()
        self._pending: list[str] = []
        self._pending_chars = 0
        self._drainer: int | None = None  # the thread sending, while one is
        self._sending = False
        self.waits = 0  # how often a writer waited for room (back-pressure took effect)
        self.sent_messages = 0
        self.sent_chars = 0

    @property
    def in_flight(self) -> bool:
        """True while pieces are queued or being sent."""
        with self._lock:
            return self._sending or bool(self._pending)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until nothing is queued or being sent (another thread's send finished); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._sending and not self._pending, timeout)

    def write(self, text: str) -> None:
        if not text:
            return
        with self._lock:
            if self._sending and self._drainer != threading.get_ident() and self._pending and (
                self._pending_chars + len(text) > self._max_pending
            ):
                self.waits += 1
                self._lock.wait_for(lambda: not self._pending or not self._sending)
            self._pending.append(text)
            self._pending_chars += len(text)
            if self._sending:
                return
            self._sending = True
        if self._schedule is None:
            self._drain()
        else:
            self._schedule(self._drain)

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._sending = False
                    self._drainer = None
                    self._lock.notify_all()
                    return
                self._drainer = threading.get_ident()
                chunk = "".join(self._pending)
                self._pending.clear()
                self._pending_chars = 0
                self._lock.notify_all()  # writers waiting for room may queue again
            try:
                self._send(chunk)
            except BaseException:
                with self._lock:
                    self._sending = False
                    self._drainer = None
                    self._lock.notify_all()
                raise
            self.sent_messages += 1
            self.sent_chars += len(chunk)
