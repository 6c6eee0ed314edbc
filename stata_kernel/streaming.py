"""Forwarding output pieces without delay and without a fixed batching window."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Schedule = Callable[[Callable[[], None]], Any]
"""Runs a callable on the sending thread (e.g. a one-worker executor's ``submit``)."""


class Coalescer:
    """Sends each piece at once; only what arrives while a send is in progress is joined into the next.

    Writers may be on any thread (the engine's output pump, the worker draining the tail). Ordering is
    kept because exactly one drain runs at a time and takes everything pending in arrival order.

    With ``schedule``, sends happen on the thread it names instead of the writer's. The kernel sends on the
    writer's thread: its writers are long-lived (the engine's output pump, the Stata worker, the event loop),
    which matters because ipykernel's IOPub socket keeps a ZMQ pipe per thread that ever sent.
    """

    def __init__(self, send: Callable[[str], None], schedule: Schedule | None = None) -> None:
        self._send = send
        self._schedule = schedule
        self._lock = threading.Condition()
        self._pending: list[str] = []
        self._sending = False
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
            self._pending.append(text)
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
                    self._lock.notify_all()
                    return
                chunk = "".join(self._pending)
                self._pending.clear()
            try:
                self._send(chunk)
            except BaseException:
                with self._lock:
                    self._sending = False
                    self._lock.notify_all()
                raise
            self.sent_messages += 1
            self.sent_chars += len(chunk)
