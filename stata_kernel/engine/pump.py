"""Draining Stata's output buffer while ``StataSO_Execute`` runs, on one long-lived thread.

Real Stata appends rendered text to a buffer inside its shared library and offers no notification; every
embedder polls it (pystata every 15 ms, C kernels from a second thread). The pump polls every
:data:`POLL_INTERVAL` while a run is open and sleeps on an event otherwise, so an idle kernel costs nothing.
Bytes are decoded incrementally: a multi-byte UTF-8 character cut between two reads is never split or
replaced. See docs/real-stata.md.
"""

from __future__ import annotations

import codecs
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

POLL_INTERVAL = 0.001
"""Seconds between two reads of Stata's buffer while output flows (the budget: at most 2 ms)."""
QUIET_INTERVAL = 0.002
"""Seconds between reads after a quiet spell (``QUIET_READS`` empty reads): half the polling cost in silences."""
QUIET_READS = 20
BUSY_CHARS = 65_536
"""A read this large means Stata is flooding: read again at once instead of waiting an interval."""

Reader = Callable[[], "bytes | str | None"]
Deliver = Callable[[str], None]


class Utf8Pieces:
    """Turns the buffer's successive reads into text; keeps an incomplete trailing character for later."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def text(self, raw: bytes | str | None, *, final: bool = False) -> str:
        if raw is None:
            raw = b""
        if isinstance(raw, str):  # an engine that hands over text has decoded whole characters already
            return raw + self._decoder.decode(b"", final=True) if final else raw
        return self._decoder.decode(raw, final=final)


@dataclass
class PumpStats:
    """Cost of polling, for the bench: reads made and CPU seconds the pump thread spent while runs were open."""

    runs: int = 0
    reads: int = 0
    cpu_seconds: float = 0.0
    open_seconds: float = 0.0


class _Run:
    def __init__(self, read: Reader, deliver: Deliver) -> None:
        self.read = read
        self.deliver = deliver
        self.pieces = Utf8Pieces()
        self.closing = False
        self.polling = False  # the pump thread took this run (under the pump's lock)
        self.left = threading.Event()  # the pump thread will not read this run again
        self.error: BaseException | None = None


class OutputPump:
    """Polls the current run's reader on a daemon thread and hands decoded text to the run's ``deliver``.

    :meth:`open` before ``Execute``, :meth:`close` after it: close stops polling, waits until the thread is
    out of the reader, then drains what is left on the calling thread, so every piece is delivered in order
    and nothing is delivered after close returns.
    """

    def __init__(self, interval: float = POLL_INTERVAL) -> None:
        self.interval = interval
        self.stats = PumpStats()
        self._lock = threading.Lock()
        self._wake = threading.Event()  # a run opened, or the open run wants to close
        self._run: _Run | None = None
        self._thread: threading.Thread | None = None

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="stata-output-pump", daemon=True)
            self._thread.start()

    def open(self, read: Reader, deliver: Deliver) -> None:
        with self._lock:
            if self._run is not None:
                raise RuntimeError("a run is already open on this pump")
            self._ensure_thread()
            self._run = _Run(read, deliver)
            self.stats.runs += 1
        self._wake.set()

    def close(self) -> None:
        """Stop polling and deliver everything still buffered; re-raises a failure of ``deliver``."""
        with self._lock:
            run = self._run
            if run is None:
                return
            self._run = None
            run.closing = True
            if not run.polling:  # the thread never took it: it never will
                run.left.set()
        self._wake.set()
        run.left.wait()
        try:
            if run.error is None:
                self._drain(run)
        finally:
            tail = run.pieces.text(b"", final=True)  # an incomplete character at the very end
            if tail and run.error is None:
                run.deliver(tail)
        if run.error is not None:
            raise run.error

    @staticmethod
    def _drain(run: _Run) -> None:
        while True:
            text = run.pieces.text(run.read())
            if not text:
                return
            run.deliver(text)

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                run = self._run
            if run is None or run.closing:
                continue
            # The first read comes one interval after the run opened, as every later one: a short command
            # finishes before it, and then close() drains on the worker without waiting for this thread.
            if self._wake.wait(self.interval):
                self._wake.clear()
            with self._lock:
                if run.closing:
                    continue
                run.polling = True
            try:
                self._poll(run)
            finally:
                run.left.set()

    def _poll(self, run: _Run) -> None:
        started, cpu_started = time.monotonic(), time.thread_time()
        reads = empty = 0
        quiet = max(self.interval, QUIET_INTERVAL)
        try:
            while not run.closing:
                reads += 1
                text = run.pieces.text(run.read())
                if text:
                    empty = 0
                    run.deliver(text)
                    if len(text) >= BUSY_CHARS:
                        continue
                else:
                    empty += 1
                if self._wake.wait(self.interval if empty < QUIET_READS else quiet):
                    self._wake.clear()
        except BaseException as exc:  # a failing sink must not kill the pump; close() re-raises it
            run.error = exc
        finally:
            self.stats.reads += reads
            self.stats.cpu_seconds += time.thread_time() - cpu_started
            self.stats.open_seconds += time.monotonic() - started
