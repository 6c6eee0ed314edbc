"""The simulated Stata process state: one per Python process, created by ``config.init``.

``Runtime`` plays the part of libstata: it owns the output buffer, the break flag and the interpreter.
``SimLib`` is what ``config.stlib`` points at (real pystata: a ctypes handle with ``StataSO_*`` functions).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sys
import threading
from collections.abc import Callable, Iterator
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
    from .commands import core, data, dofile, graph, misc, sim, stats_cmds

    reg = Registry()
    for module in (core, data, stats_cmds, graph, misc, sim, dofile):
        module.register(reg)
    return reg


class _BufferSink(Sink):
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def write(self, text: str) -> None:
        buffer = self._rt.buffer
        if self._rt.executing:  # StataSO_Execute: what Stata prints is in its buffer at once
            self._rt.emitter.stamp(len(text))
            buffer.append(text)
            buffer.advance_fence()
            return
        buffer.append(text)
        if buffer.unfenced() > STREAM_WITHIN_STATEMENT:
            buffer.fence_all_but(len(text))  # long output of one command streams too (all but its last write)

    def statement_boundary(self) -> None:
        self._rt.buffer.advance_fence()


class CFunction:
    """A ctypes function pointer as pystata uses it: callable, with ``restype``/``argtypes`` that may be set.

    Real pystata sets ``stlib.StataSO_GetOutputBuffer.restype = c_char_p`` before every read; the simulator
    accepts and ignores such settings (the functions already return what ctypes would).
    """

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = fn
        self.restype: Any = None
        self.argtypes: Any = None
        self.__name__ = getattr(fn, "__name__", "StataSO")

    def __call__(self, *args: Any) -> Any:
        return self._fn(*args)


class SimLib:
    """Stand-in for the ctypes handle ``config.stlib``: Stata's C entry points, the same in every release.

    ``sim_break_misuse`` counts SetBreak calls that would be dangerous with a real Stata (while idle, or more
    than once in one run); tests assert it stays 0. ``sim_breaks`` counts accepted breaks.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.sim_break_misuse = 0
        self.sim_breaks = 0
        self.StataSO_Execute = CFunction(runtime.execute_bytes)
        self.StataSO_GetOutputBuffer = CFunction(runtime.read_output_bytes)
        self.StataSO_ClearOutputBuffer = CFunction(runtime.clear_output)
        self.StataSO_AppendOutputBuffer = CFunction(runtime.append_output)
        self.StataSO_SetBreak = CFunction(runtime.request_break)
        self.StataSO_Main = CFunction(lambda *args: 0)
        self.StataSO_Shutdown = CFunction(lambda: None)


class Runtime:
    def __init__(self, edition: str, output_file: Callable[[], Any]) -> None:
        self.state = State(edition=edition)
        self.buffer = OutputBuffer()
        seed = int(os.environ.get("SIMSTATA_SEED", "20240229") or 0)
        self.emitter = Emitter(output_file, EmitLog(os.environ.get("SIMSTATA_EMIT_LOG") or None), seed)
        self.stlib = SimLib(self)
        self.streaming = True
        self.programs: dict[str, str] = {}  # program define'd: name -> body
        self.adopath: list[str] = []  # directories put on the adopath (the base ado directory comes last)
        self.python_namespace: dict[str, Any] = {"__name__": "__main__"}  # Python inside Stata
        self.mata_namespace: dict[str, Any] = {}
        self.console_waits = 0  # times Stata waited for a console line (tests check nothing does)
        self.executing = False  # inside StataSO_Execute (not pystata's run with its output thread)
        self._pending_bytes = b""  # the rest of a character a read cut in two (see read_output_bytes)
        self._read_lock = threading.Lock()
        self._exec_thread = 0  # the thread inside StataSO_Execute
        self.cut_rate = _rate("SIMSTATA_UTF8_CUT", 0.2)
        self.cut_rng = random.Random(seed + 1)  # its own stream: cuts do not shift other seeded choices
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
        """``StataSO_SetBreak``: accepted once per Execute; anything else is counted and warned about."""
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
        self.buffer.wake_waiters()  # a producer waiting for room checks the break at once

    def check_break(self) -> None:
        if self._break_event.is_set():
            raise BreakError()

    def sleep(self, seconds: float) -> None:
        if self._break_event.wait(seconds):
            raise BreakError()

    # ----- the C entry points (StataSO_*): what every pystata release calls underneath
    def execute_bytes(self, cmd: bytes | str, echo: Any = 0) -> int:
        """``StataSO_Execute``: run one line as typed at Stata's prompt; return the rc, never raise.

        Like any foreign call made through ctypes, it is not interrupted by Python signals: a Ctrl-C that
        arrives meanwhile is raised by Python after the call returns (see ``_deferred_sigint``).
        """
        text = cmd.decode("utf-8", "replace") if isinstance(cmd, bytes) else str(cmd)
        if not self._run_lock.acquire(blocking=False):
            self.buffer.append("Stata is busy: StataSO_Execute called during another Execute\nr(1);\n")
            self.buffer.advance_fence()
            return 1
        try:
            with _deferred_sigint():
                with self._break_lock:
                    self._running = True
                    self._breaks_this_run = 0
                    self._break_event.clear()
                self._exec_thread = threading.get_ident()
                self.executing = True
                self.emitter.new_run()
                self.buffer.backpressure = False  # until somebody reads during this Execute
                try:
                    rc = self._execute_line(text.strip(), bool(echo))
                finally:
                    self.executing = False
                    self.buffer.backpressure = False
                    with self._break_lock:
                        self._running = False
                        self._break_event.clear()
        finally:
            self._run_lock.release()
        self.state.rc = rc
        return rc

    def _execute_line(self, line: str, echo: bool) -> int:
        interp = self.interp
        interp.column = 0
        try:
            with interp.visibility(output=True, errors=True):
                if echo:
                    interp.out(". " + line + "\n")
                try:
                    interp.run_code(line, do_file=False)
                except RecursionError:
                    raise StataError(130, "expression too long") from None
                except StataError:
                    raise
                except BaseException as exc:  # a simulator bug must look like a Stata error, never escape
                    raise StataError(9999, f"simulated Stata internal error: {type(exc).__name__}: {exc}") from exc
        except StataError as exc:
            interp._report(exc)
            interp.ensure_line_start()
            self.emitter.stamp(len(f"r({exc.rc});\n"))
            self.buffer.append(f"r({exc.rc});\n")
            self.buffer.advance_fence()
            return exc.rc
        return 0

    def read_output_bytes(self) -> bytes:
        """``StataSO_GetOutputBuffer`` (as ctypes returns it with ``restype = c_char_p``): UTF-8 bytes, emptied.

        Sometimes (seeded) the bytes end in the middle of a multi-byte character and the rest comes with the
        next read, so readers must decode incrementally, as a poll of a C buffer may see it.
        """
        with self._read_lock:
            if self.executing:
                self.buffer.backpressure = True  # somebody drains: fast producers may now wait for them
            data = self._pending_bytes + self.buffer.take_all().encode("utf-8", "backslashreplace")
            self._pending_bytes = b""
            if data and not data.isascii() and self.cut_rng.random() < self.cut_rate:
                # a continuation byte past the first: the read is never empty while bytes are pending
                inside = [i for i, byte in enumerate(data) if i and byte & 0xC0 == 0x80]
                if inside:
                    cut = self.cut_rng.choice(inside)
                    data, self._pending_bytes = data[:cut], data[cut:]
            return data

    def clear_output(self) -> None:
        with self._read_lock:
            self.buffer.take_all()
            self._pending_bytes = b""

    def append_output(self, text: bytes | str) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "backslashreplace")
        if self.executing:
            self.emitter.stamp(len(text))
        self.buffer.append(text)
        self.buffer.advance_fence()
        if self.executing and threading.get_ident() == self._exec_thread:
            self.buffer.wait_for_room(self._break_event.is_set)  # Python printing inside Stata: bounded too

    # ----- running (pystata's stata.run)
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
        if self.executing:
            # Under StataSO_Execute the embedder polls the buffer: crash once it has read what was printed,
            # and a moment later (a real crash comes at some point after the last print, not within 1 ms).
            self.buffer.wait_until_empty(2.0)
            threading.Event().wait(0.3)
            return
        thread = self.thread
        if thread is not None:
            thread.flush_now()
        else:
            self.emitter.emit(self.buffer.take_all())
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()


def _rate(name: str, default: float) -> float:
    """A probability from the environment (0..1); a malformed value falls back to the default."""
    try:
        return min(1.0, max(0.0, float(os.environ.get(name, "") or default)))
    except ValueError:
        return default


@contextlib.contextmanager
def _deferred_sigint() -> Iterator[None]:
    """Hold a Ctrl-C until the call returns, as a blocking ctypes call does (only the main thread gets it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if not callable(previous):  # SIG_IGN / SIG_DFL: nothing Python would run
        yield
        return
    pending: list[tuple[int, Any]] = []
    signal.signal(signal.SIGINT, lambda signum, frame: pending.append((signum, frame)))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pending:
        previous(*pending[0])


def _warn(message: str) -> None:
    with contextlib.suppress(Exception):
        print(f"[simulated Stata] WARNING: {message}", file=sys.__stderr__ or sys.stderr, flush=True)
