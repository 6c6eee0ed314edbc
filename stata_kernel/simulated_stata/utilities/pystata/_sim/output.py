"""Stata's output buffer and pystata's output thread, as seen from Python.

Real Stata appends rendered text to a buffer inside the shared library; pystata's ``stout`` thread drains it
every ~15 ms and prints whatever it got with ``print(piece, end="", flush=True, file=config.stoutputf)``.
Pieces are arbitrary (not lines), and when ``run`` returns the last piece may still sit in the buffer.

The simulator makes those properties deterministic and visible:

* each drained chunk is cut into 1-3 prints at random positions (seeded RNG), and sometimes a partial line is
  pushed back for the next tick;
* output of the statement that is still executing is fenced off, so the final statement's output of a run is
  always left in the buffer when ``run`` returns (``config.get_output()`` retrieves it; otherwise the
  next run's thread prints it first).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

# Above this many pending characters, producers (e.g. ``_sim_flood``) wait for the output thread to catch up.
BACKPRESSURE_CHARS = 4 * 1024 * 1024


class OutputBuffer:
    """Thread-safe text buffer with a fence: only text before the fence may be printed during a run."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._parts: list[str] = []
        self._size = 0
        self._fence = 0  # number of leading characters of the buffer the output thread may take
        self.backpressure = False  # set by the runtime while an output thread is draining
        self.on_full: Callable[[], None] | None = None  # wakes the output thread early when producers wait

    def append(self, text: str) -> None:
        if not text:
            return
        with self._cond:
            self._parts.append(text)
            self._size += len(text)

    def fence_all_but(self, keep: int) -> None:
        """Let a long-running statement's older output be printed, keeping its latest `keep` characters back."""
        with self._cond:
            self._fence = max(self._fence, self._size - keep)

    def unfenced(self) -> int:
        with self._cond:
            return self._size - self._fence

    def advance_fence(self) -> None:
        """Everything appended so far belongs to finished statements and may be printed."""
        with self._cond:
            self._fence = self._size
            if self._size:
                self._cond.notify_all()

    def wait_for_room(self, should_stop: Callable[[], bool]) -> None:
        """Block a fast producer while the consumer is behind (bounded memory, like a real pipe).

        Reads and breaks notify the condition; the timeout only guards against a missed notification.
        """
        with self._cond:
            while self.backpressure and self._size > BACKPRESSURE_CHARS and not should_stop():
                if self.on_full is not None:
                    self.on_full()
                self._cond.wait(0.05)

    def wake_waiters(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def wait_until_empty(self, timeout: float) -> bool:
        """Until a reader has taken everything (or ``timeout``); True when the buffer is empty."""
        with self._cond:
            return self._cond.wait_for(lambda: self._size == 0, timeout)

    def _joined(self) -> str:
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def take_fenced(self) -> str:
        """Remove and return the printable prefix (up to the fence)."""
        with self._cond:
            if self._fence <= 0:
                return ""
            text = self._joined()
            out, rest = text[: self._fence], text[self._fence :]
            self._parts = [rest] if rest else []
            self._size = len(rest)
            self._fence = 0
            self._cond.notify_all()
            return out

    def push_front(self, text: str) -> None:
        """Give back a piece that was taken but not printed; it stays printable at the next tick."""
        if not text:
            return
        with self._cond:
            self._parts.insert(0, text)
            self._size += len(text)
            self._fence += len(text)

    def take_all(self) -> str:
        with self._cond:
            text = self._joined()
            self._parts = []
            self._size = 0
            self._fence = 0
            self._cond.notify_all()
            return text

    def split_unfenced(self) -> tuple[str, str]:
        """Remove everything; return (fenced part, part after the fence)."""
        with self._cond:
            text = self._joined()
            fence = self._fence
            self._parts = []
            self._size = 0
            self._fence = 0
            self._cond.notify_all()
            return text[:fence], text[fence:]

    def __len__(self) -> int:
        with self._cond:
            return self._size


class EmitLog:
    """Appends ``<time_ns> <run> <cumulative chars>`` per printed piece when ``SIMSTATA_EMIT_LOG`` is set."""

    def __init__(self, path: str | None) -> None:
        self._file: TextIO | None = open(path, "a", encoding="ascii") if path else None  # noqa: SIM115

    def record(self, run_number: int, cumulative: int, emitted_ns: int | None = None) -> None:
        if self._file is not None:
            when = time.time_ns() if emitted_ns is None else emitted_ns
            self._file.write(f"{when} {run_number} {cumulative}\n")
            self._file.flush()

    @property
    def enabled(self) -> bool:
        return self._file is not None


class Emitter:
    """Prints pieces the way pystata does and keeps per-run accounting."""

    def __init__(self, get_file: Callable[[], Any], emit_log: EmitLog, seed: int) -> None:
        self._get_file = get_file
        self._emit_log = emit_log
        self.rng = random.Random(seed)
        self.run_number = 0
        self.cumulative = 0

    def new_run(self) -> None:
        self.run_number += 1
        self.cumulative = 0

    def stamp(self, chars: int) -> None:
        """Text entered Stata's buffer (StataSO_Execute): that is when Stata printed it."""
        if chars:
            emitted_ns = time.time_ns() if self._emit_log.enabled else None
            self.cumulative += chars
            self._emit_log.record(self.run_number, self.cumulative, emitted_ns)

    def emit(self, piece: str) -> None:
        if not piece:
            return
        # The emission time is taken before print(): a writer may forward the piece synchronously, and the
        # latency of interest runs from the moment Stata hands the piece over.
        emitted_ns = time.time_ns() if self._emit_log.enabled else None
        # Exactly what pystata's stout does: the *current* config.stoutputf, or sys.stdout when it is None.
        print(piece, end="", flush=True, file=self._get_file())
        self.cumulative += len(piece)
        self._emit_log.record(self.run_number, self.cumulative, emitted_ns)

    def cut(self, text: str, max_pieces: int = 3) -> list[str]:
        """Cut text into 1..max_pieces non-empty pieces at random positions."""
        n = self.rng.randint(1, max_pieces)
        if n == 1 or len(text) < n:
            return [text]
        cuts = sorted(self.rng.sample(range(1, len(text)), n - 1))
        bounds = [0, *cuts, len(text)]
        return [text[a:b] for a, b in itertools.pairwise(bounds) if b > a]


class OutputThread(threading.Thread):
    """The simulated ``pystata.core.stout`` timer thread for one ``run`` call."""

    def __init__(self, buffer: OutputBuffer, emitter: Emitter, interval: float) -> None:
        super().__init__(name="simstata-stout", daemon=True)
        self._buffer = buffer
        self._emitter = emitter
        self._interval = interval
        self._wake = threading.Event()
        self._stopping = False
        self._lock = threading.Lock()  # serialises printing between this thread and flush_now()

    def run(self) -> None:
        while True:
            self._tick()
            if self._wake.wait(self._interval):
                self._wake.clear()
                if self._stopping:
                    break
        self._final()

    def wake(self) -> None:
        """Drain now instead of at the next tick (a producer is waiting for room)."""
        self._wake.set()

    def _tick(self) -> None:
        with self._lock:
            chunk = self._buffer.take_fenced()
            if not chunk:
                return
            rng = self._emitter.rng
            keep = ""
            # Sometimes hold back the end of the chunk: a partial line printed on a later tick.
            if len(chunk) > 1 and rng.random() < 0.3:
                cut = rng.randrange(1, len(chunk))
                chunk, keep = chunk[:cut], chunk[cut:]
            for piece in self._emitter.cut(chunk):
                self._emitter.emit(piece)
            self._buffer.push_front(keep)

    def stop(self) -> None:
        """Stop without waiting for the next tick; the thread prints its final pieces and exits."""
        self._stopping = True
        self._wake.set()
        self.join()

    def _final(self) -> None:
        """Print what is pending except the run's final piece, which stays in the buffer (the tail race)."""
        with self._lock:
            printable, last = self._buffer.split_unfenced()
            if not last and printable:
                pieces = self._emitter.cut(printable)
                if len(pieces) == 1 and len(printable) > 1:
                    cut = self._emitter.rng.randrange(1, len(printable))
                    pieces = [printable[:cut], printable[cut:]]
                *printed, last = pieces
                printable = "".join(printed)
            for piece in self._emitter.cut(printable) if printable else []:
                self._emitter.emit(piece)
            self._buffer.append(last)

    def flush_now(self) -> None:
        """Print everything pending (used before a simulated crash)."""
        with self._lock:
            self._emitter.emit(self._buffer.take_all())
            with contextlib.suppress(Exception):
                (self._emitter._get_file() or sys.stdout).flush()


def tick_interval() -> float:
    try:
        return max(0.001, float(os.environ.get("SIMSTATA_TICK_MS", "15")) / 1000.0)
    except ValueError:
        return 0.015
