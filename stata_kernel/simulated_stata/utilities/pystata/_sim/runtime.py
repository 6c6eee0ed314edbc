"""The simulated Stata process state: one per Python process, created by ``config.init``.

``Runtime`` plays the part of libstata: it owns the output buffer, the break flag and the interpreter.
``SimLib`` is what ``config.stlib`` points at (real pystata: a ctypes handle with ``StataSO_*`` functions).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from .errors import BreakError, StataError
from .interp import Interpreter, Sink
from .output import EmitLog, Emitter, OutputBuffer, OutputThread, tick_interval
from .registry import Registry
from .state import State

_RUNTIME: Runtime | None = None
STREAM_WITHIN_STATEMENT = 8192


def get_runtime() -> Runtime:
    if _RUNTIME is None:
        raise SystemError("Stata environment has not been initialized yet")
    return _RUNTIME


def create_runtime(edition: str, output_file: Callable[[], Any]) -> Runtime:
    """Called once by config.init (one Stata per process, like the real shared library)."""
    global _RUNTIME
    if _RUNTIME is None:
        _RUNTIME = Runtime(edition, output_file)
    return _RUNTIME


def _build_registry() -> Registry:
    from .commands import core, data, graph, misc, sim, stats_cmds

    reg = Registry()
    for module in (core, data, stats_cmds, graph, misc, sim):
        module.register(reg)
    return reg


class _BufferSink(Sink):
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def write(self, text: str) -> None:
        buffer = self._rt.buffer
        buffer.append(text)
        if buffer.unfenced() > STREAM_WITHIN_STATEMENT:
            buffer.fence_all_but(len(text))  # long output of one command streams too (all but its last write)

    def statement_boundary(self) -> None:
        self._rt.buffer.advance_fence()


class SimLib:
    """Stand-in for the ctypes handle ``config.stlib``.

    ``sim_break_misuse`` counts SetBreak calls that would be dangerous with a real Stata (while idle, or more
    than once in one run); tests assert it stays 0. ``sim_breaks`` counts accepted breaks.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.sim_break_misuse = 0
        self.sim_breaks = 0

    def StataSO_SetBreak(self) -> None:
        self._rt.request_break()

    def StataSO_GetOutputBuffer(self) -> str:
        return self._rt.buffer.take_all()

    def StataSO_AppendOutputBuffer(self, text: str | bytes) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "backslashreplace")
        self._rt.buffer.append(text)
        self._rt.buffer.advance_fence()

    def StataSO_Shutdown(self) -> None:
        return None


class Runtime:
    def __init__(self, edition: str, output_file: Callable[[], Any]) -> None:
        self.state = State(edition=edition)
        self.buffer = OutputBuffer()
        seed = int(os.environ.get("SIMSTATA_SEED", "20240229") or 0)
        self.emitter = Emitter(output_file, EmitLog(os.environ.get("SIMSTATA_EMIT_LOG") or None), seed)
        self.stlib = SimLib(self)
        self.streaming = True
        self._run_lock = threading.Lock()
        self._break_lock = threading.Lock()
        self._break_event = threading.Event()
        self._running = False
        self._breaks_this_run = 0
        self.thread: OutputThread | None = None
        self.interp = Interpreter(
            state=self.state,
            sink=_BufferSink(self),
            registry=_build_registry(),
            check_break=self.check_break,
            sleep=self.sleep,
        )
        self.interp.runtime = self

    # ----- break
    def request_break(self) -> None:
        with self._break_lock:
            if not self._running:
                self.stlib.sim_break_misuse += 1
                _warn("StataSO_SetBreak() called while no run is in progress (this has crashed real Stata)")
                return
            self._breaks_this_run += 1
            if self._breaks_this_run > 1:
                self.stlib.sim_break_misuse += 1
                _warn("StataSO_SetBreak() called more than once in one run (this has crashed real Stata)")
            else:
                self.stlib.sim_breaks += 1
            self._break_event.set()

    def check_break(self) -> None:
        if self._break_event.is_set():
            raise BreakError()

    def sleep(self, seconds: float) -> None:
        if self._break_event.wait(seconds):
            raise BreakError()

    # ----- running
    def run(self, cmd: str, quietly: bool = False, echo: bool = False) -> None:
        if not self._run_lock.acquire(blocking=False):
            raise SystemError(
                "Stata is busy: pystata.stata.run() was called while another run is in progress "
                "(Stata runs one command at a time)\nr(1);"
            )
        try:
            with self._break_lock:
                self._running = True
                self._breaks_this_run = 0
                self._break_event.clear()
            try:
                self._run_locked(cmd, quietly, echo)
            finally:
                with self._break_lock:
                    self._running = False
                    self._break_event.clear()
        finally:
            self._run_lock.release()

    def _run_locked(self, cmd: str, quietly: bool, echo: bool) -> None:
        self.buffer.advance_fence()  # a tail nobody drained is printed first by this run's thread
        self.emitter.new_run()
        thread = OutputThread(self.buffer, self.emitter, tick_interval()) if self.streaming else None
        self.thread = thread
        error: StataError | None = None
        cmd = cmd.strip()  # pystata trims the code before deciding single- vs multi-line
        multi = len(cmd.splitlines()) > 1
        interp = self.interp
        interp.column = 0
        if thread is not None:
            self.buffer.backpressure = True
            self.buffer.on_full = thread.wake
            thread.start()
        try:
            with interp.visibility(output=not quietly, errors=True):
                if not multi and echo:
                    interp.out(". " + cmd + "\n")
                try:
                    interp.run_code(cmd, do_file=multi)
                except RecursionError:
                    raise StataError(130, "expression too long") from None
                except (StataError, SystemExit, KeyboardInterrupt):
                    raise
                except Exception as exc:  # a simulator bug must look like a Stata error, not kill the caller
                    raise StataError(9999, f"simulated Stata internal error: {type(exc).__name__}: {exc}") from exc
        except StataError as exc:
            error = exc
            if multi:
                self.buffer.append(f"r({exc.rc});\n")
        finally:
            self.buffer.backpressure = False
            self.buffer.on_full = None
            self.thread = None
            if thread is not None:
                thread.stop()
            else:
                self.emitter.emit(self.buffer.take_all())
        if error is not None:
            self.state.rc = error.rc
            raise SystemError(f"{error.message}\nr({error.rc});")
        self.state.rc = 0

    def flush_for_crash(self) -> None:
        thread = self.thread
        if thread is not None:
            thread.flush_now()
        else:
            self.emitter.emit(self.buffer.take_all())
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()


def _warn(message: str) -> None:
    with contextlib.suppress(Exception):
        print(f"[simulated Stata] WARNING: {message}", file=sys.__stderr__ or sys.stderr, flush=True)
