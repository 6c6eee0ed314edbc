"""What ``config.stlib`` is: Stata's C entry points as a ctypes handle offers them, the same in every release.

Real pystata loads ``libstata`` with ``ctypes.cdll.LoadLibrary`` and calls ``StataSO_*`` functions on it,
setting ``restype``/``argtypes`` as it goes [17]. The simulator's handle accepts those settings and routes
each call to the :class:`~pystata._sim.runtime.Runtime`.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runtime import Runtime


class CFunction:
    """A ctypes function pointer as pystata uses it: callable, with ``restype``/``argtypes`` that may be set.

    Real pystata sets ``stlib.StataSO_GetOutputBuffer.restype = c_char_p`` before every read; the simulator
    accepts and ignores such settings (the functions already return what ctypes would).
    """

    def __init__(self, fn: Callable[..., Any], name: str) -> None:
        self._fn = fn
        self.restype: Any = None
        self.argtypes: Any = None
        self.__name__ = name

    def __call__(self, *args: Any) -> Any:
        return self._fn(*args)


class SimLib:
    """Stand-in for the ctypes handle ``config.stlib``.

    ``sim_break_misuse`` counts SetBreak calls that would be dangerous with a real Stata (while idle, or more
    than once in one Execute); tests assert it stays 0. ``sim_breaks`` counts accepted breaks.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.sim_break_misuse = 0
        self.sim_breaks = 0
        self.StataSO_Main = CFunction(runtime.main, "StataSO_Main")
        self.StataSO_Execute = CFunction(runtime.execute_bytes, "StataSO_Execute")
        self.StataSO_GetOutputBuffer = CFunction(runtime.read_output_bytes, "StataSO_GetOutputBuffer")
        self.StataSO_ClearOutputBuffer = CFunction(runtime.clear_output, "StataSO_ClearOutputBuffer")
        self.StataSO_AppendOutputBuffer = CFunction(runtime.append_output, "StataSO_AppendOutputBuffer")
        self.StataSO_SetBreak = CFunction(runtime.request_break, "StataSO_SetBreak")
        self.StataSO_Shutdown = CFunction(runtime.shutdown, "StataSO_Shutdown")


@contextlib.contextmanager
def deferred_sigint() -> Iterator[None]:
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
