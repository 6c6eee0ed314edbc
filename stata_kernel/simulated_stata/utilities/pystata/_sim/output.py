"""Stata's output buffer inside the shared library, and the emission log.

Real Stata appends rendered text to a buffer that readers empty with ``StataSO_GetOutputBuffer``; what is
in it is readable at once. Polling it (pystata's output thread, a kernel's pump) is the reader's business:
see ``pystata.core.stout`` for pystata's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TextIO

# Above this many pending characters, producers (e.g. ``_sim_flood``) wait for a reader to catch up.
BACKPRESSURE_CHARS = 4 * 1024 * 1024


class OutputBuffer:
    """Thread-safe text buffer; producers may wait for room once somebody is known to read it."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._parts: list[str] = []
        self._size = 0
        self.backpressure = False  # set by the runtime once a reader drains during an Execute

    def append(self, text: str) -> None:
        if not text:
            return
        with self._cond:
            self._parts.append(text)
            self._size += len(text)

    def take_all(self) -> str:
        with self._cond:
            text = "".join(self._parts)
            self._parts = []
            self._size = 0
            self._cond.notify_all()
            return text

    def wait_for_room(self, should_stop: Callable[[], bool]) -> None:
        """Block a fast producer while the reader is behind (bounded memory, like a real pipe).

        Reads and breaks notify the condition; the timeout only guards against a missed notification.
        """
        with self._cond:
            while self.backpressure and self._size > BACKPRESSURE_CHARS and not should_stop():
                self._cond.wait(0.05)

    def wake_waiters(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def wait_until_empty(self, timeout: float) -> bool:
        """Until a reader has taken everything (or ``timeout``); True when the buffer is empty."""
        with self._cond:
            return self._cond.wait_for(lambda: self._size == 0, timeout)

    def __len__(self) -> int:
        with self._cond:
            return self._size


class EmitLog:
    """``SIMSTATA_EMIT_LOG``: ``<time_ns> <run> <cumulative chars>`` each time text enters the buffer.

    "run" numbers the top-level ``StataSO_Execute`` calls of the process from 1; the time is taken before
    anything else, since that is when Stata printed the text (any reader's polling is latency after it).
    """

    def __init__(self, path: str | None) -> None:
        self._file: TextIO | None = open(path, "a", encoding="ascii") if path else None  # noqa: SIM115
        self._lock = threading.Lock()
        self.run_number = 0
        self.cumulative = 0

    def new_run(self) -> None:
        with self._lock:
            self.run_number += 1
            self.cumulative = 0

    def stamp(self, chars: int) -> None:
        if self._file is None or not chars:
            return
        when = time.time_ns()
        with self._lock:
            self.cumulative += chars
            self._file.write(f"{when} {self.run_number} {self.cumulative}\n")
            self._file.flush()
