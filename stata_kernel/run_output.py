"""Where one execute request's output goes: sent at once as iopub ``stream`` messages, its end remembered."""

from __future__ import annotations

import threading

from .streaming import Coalescer

_TAIL_CHARS = 4096


class RunOutput:
    """Forwards a run's output to the frontend and remembers its end (to avoid repeating an error)."""

    def __init__(self, coalescer: Coalescer | None) -> None:
        self._coalescer = coalescer
        self._tail = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> None:
        self.remember(text)
        self.forward(text)

    def remember(self, text: str) -> None:
        with self._lock:
            self._tail = (self._tail + text)[-_TAIL_CHARS:]

    def forward(self, text: str) -> None:
        if self._coalescer is not None:
            self._coalescer.write(text)

    @property
    def in_flight(self) -> bool:
        return self._coalescer is not None and self._coalescer.in_flight

    def wait_sent(self) -> None:
        if self._coalescer is not None:
            self._coalescer.wait_idle(30)

    @property
    def tail(self) -> str:
        return self._tail
