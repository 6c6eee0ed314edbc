"""A file-like object that pystata's output thread writes to, routing each piece to the current run."""

from __future__ import annotations

import threading

from .base import OutputCallback


class OutputRouter:
    """Installed once as pystata's output file, so streamed output never depends on ``sys.stdout``.

    Pieces written while no run is attached (a late tail of the previous run) are kept and handed to
    the next run rather than lost.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sink: OutputCallback | None = None
        self._orphans: list[str] = []

    def attach(self, sink: OutputCallback) -> None:
        with self._lock:
            self._sink = sink
            orphans, self._orphans = self._orphans, []
        if orphans:
            sink("".join(orphans))

    def detach(self) -> None:
        with self._lock:
            self._sink = None

    def write(self, text: str) -> int:
        if not text:  # print(..., end="") also writes "" pieces
            return 0
        with self._lock:
            sink = self._sink
            if sink is None:
                self._orphans.append(text)
                return len(text)
        sink(text)
        return len(text)

    def flush(self) -> None:
        """Pieces are forwarded as they are written; nothing is buffered here."""

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:
        return "utf-8"
