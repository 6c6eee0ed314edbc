"""Serialises all Stata work on one worker thread and owns the break rules.

pystata may be called from a non-main thread but never from two at once, and a break must reach it at
most once per run and only while a run is in progress (real Stata has crashed otherwise).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from .engine import Engine, EngineInfo, OutputCallback
from .errors import EngineClosed, StataError, StataUnavailable

T = TypeVar("T")


class StataSession:
    def __init__(self, engine_factory: Callable[[], Engine]) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stata-worker")
        self._lock = threading.Lock()
        self._running = False
        self._break_sent = False
        self._queued = 0  # runs submitted and not finished (the running one included)
        self._break_pending = False  # a break that arrived while a run waited for the worker
        self._engine: Engine | None = None
        self._closed = False
        self.runs = 0
        self.breaks_sent = 0
        # Start Stata right away, on the worker thread that will run everything else.
        self._started: Future[EngineInfo] = self._executor.submit(self._start, engine_factory)

    def _start(self, factory: Callable[[], Engine]) -> EngineInfo:
        engine = factory()
        self._engine = engine
        return engine.start()

    @property
    def info(self) -> EngineInfo | None:
        """Engine details once started successfully; None while starting or when Stata is unavailable."""
        if not self._started.done() or self._started.exception() is not None:
            return None
        return self._started.result()

    def wait_started(self, timeout: float | None = None) -> EngineInfo:
        return self._started.result(timeout)

    @property
    def busy(self) -> bool:
        return self._running

    def _engine_or_raise(self) -> Engine:
        if self._closed:
            raise EngineClosed("the Stata session was shut down")
        error = self._started.exception()
        if error is not None:
            raise error
        assert self._engine is not None
        return self._engine

    def _run_sync(self, code: str, on_output: OutputCallback, quietly: bool) -> None:
        engine = self._engine_or_raise()
        with self._lock:
            self.runs += 1
        engine.run(code, on_output, quietly=quietly, gate=self)

    # RunGate: the engine calls these right before Stata starts and right after it stops, so a break is
    # sent only while Stata itself runs (not while the engine attaches writers or drains the tail).

    def enter(self) -> None:
        with self._lock:
            if self._break_pending:  # interrupted before it could start: never start it
                self._break_pending = False
                raise StataError(1, "--Break--")
            self._running = True
            self._break_sent = False

    def leave(self) -> None:
        with self._lock:
            self._running = False

    async def run(self, code: str, on_output: OutputCallback, *, quietly: bool = False) -> None:
        """Run code on the worker; raises StataError, StataUnavailable or EngineClosed."""
        with self._lock:
            self._queued += 1
        try:
            await asyncio.wrap_future(self._executor.submit(self._run_sync, code, on_output, quietly))
        finally:
            with self._lock:
                self._queued -= 1
                if self._queued == 0:
                    self._break_pending = False

    async def call(self, fn: Callable[[Engine], T]) -> T:
        """Run ``fn(engine)`` on the worker thread (stored results, data, macros...)."""

        def task() -> T:
            return fn(self._engine_or_raise())

        return await asyncio.wrap_future(self._executor.submit(task))

    def background(self, fn: Callable[[Engine], object]) -> None:
        """Queue ``fn(engine)`` on the worker without waiting for it (cache refreshes after a cell).

        Cheaper than an asyncio task per cell; failures are ignored: the caller's caches stay stale.
        """
        if self._closed or not self._started.done() or self._started.exception() is not None:
            return

        def task() -> None:
            with contextlib.suppress(Exception):  # a refresh that fails leaves the old names in place
                fn(self._engine_or_raise())

        with contextlib.suppress(RuntimeError):  # shut down meanwhile
            self._executor.submit(task)

    def interrupt(self) -> bool:
        """Send Stata a break if a run is in progress and none was sent for it; thread-safe.

        A run still waiting for the worker (behind a cache refresh, say) is cancelled before it starts,
        so an interrupt pressed right after starting a cell is never lost.
        """
        with self._lock:
            if not self._running and self._queued and not self._break_pending:
                self._break_pending = True
                return True
            if not self._running or self._break_sent or self._engine is None:
                return False
            self._break_sent = True
            self.breaks_sent += 1
            self._engine.request_break()
            return True

    def output_stats(self) -> list[str]:
        """The engine's output-collection figures, read without the worker (plain counters)."""
        info = self.info
        if info is None or self._engine is None:
            return []
        text = self._engine.output_stats()
        return [text] if text else []

    @property
    def unavailable_reason(self) -> StataUnavailable | None:
        if not self._started.done():
            return None
        error = self._started.exception()
        return error if isinstance(error, StataUnavailable) else None

    def close(self) -> None:
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
