"""Every private name of ipykernel that the kernel relies on, in one place.

ipykernel (at the version pinned in pyproject) serialises shell requests behind a private lock and
keeps the shell parent in private context variables; the kernel answers ``is_complete``/``complete``/
``inspect`` while a cell runs (``StataKernel.shell_main``), which needs both, and sends its own
``stream``/``error``/``display_data`` messages at once with the topic ipykernel would use
(``Kernel._topic``). The overridden hooks (``shell_main``, ``dispatch_shell(concurrent=)``,
``interrupt_request``, ``pre_handler_hook``/``post_handler_hook``) are not documented API either.

Each use goes through a function here. :func:`missing` lists the hooks the installed ipykernel
lacks; ``tests/unit/test_compat.py`` fails on it, naming ipykernel and its version.
"""

from __future__ import annotations

import asyncio
import inspect
from importlib.metadata import version
from typing import Any

from ipykernel.iostream import OutStream
from ipykernel.kernelbase import Kernel


def topic(kernel: Kernel, msg_type: str) -> bytes:
    """The iopub topic ipykernel gives a message of ``msg_type`` (``Kernel._topic``)."""
    return kernel._topic(msg_type)  # type: ignore[no-any-return]


def main_lock(kernel: Kernel) -> asyncio.Lock | None:
    """The lock ipykernel holds while the main shell handles a request (``Kernel._main_asyncio_lock``)."""
    lock = getattr(kernel, "_main_asyncio_lock", None)
    return lock if isinstance(lock, asyncio.Lock) else None


def shell_parent(kernel: Kernel) -> tuple[Any, dict[str, Any]]:
    """The running request's (ident, parent), to put back after a concurrent request."""
    ident = kernel._get_shell_context_var(kernel._shell_parent_ident)
    return ident, kernel.get_parent("shell")


def restore_shell_parent(kernel: Kernel, saved: tuple[Any, dict[str, Any]]) -> None:
    ident, parent = saved
    kernel.set_parent(ident, parent, channel="shell")


_OUTSTREAM_FIELDS = ("_flush_pending", "_subprocess_flush_pending", "_buffers")


def flush_only_when_written(stream: object) -> None:
    """ipykernel flushes ``sys.stdout``/``sys.stderr`` around every request, each flush a wait on its iopub
    thread (four per cell). The kernel prints nothing there while a cell runs (Python inside Stata prints
    into Stata's own buffer), so a flush with nothing written returns at once; one with text flushes as
    before. Reads ``OutStream``'s private buffers; another stream, or an ipykernel without them, is left as is.
    """
    if not isinstance(stream, OutStream) or not all(hasattr(stream, name) for name in _OUTSTREAM_FIELDS):
        return
    flush = stream.flush

    def flush_if_written() -> None:
        if (stream._flush_pending or stream._subprocess_flush_pending
                or any(buffer.tell() for buffer in list(stream._buffers.values()))):
            flush()

    stream.flush = flush_if_written  # type: ignore[method-assign]


_METHODS = ("_topic", "_get_shell_context_var", "shell_main", "dispatch_shell", "interrupt_request",
            "pre_handler_hook", "post_handler_hook", "set_parent", "get_parent")
_ATTRIBUTES = ("_main_asyncio_lock", "_shell_parent_ident")
_TRAITS = ("_execute_sleep",)  # set to 0 by StataKernel: the sleep after each execute waits for sys.stdout


def missing() -> list[str]:
    """Hooks this module and ``kernel.py`` need that the installed ipykernel lacks."""
    where = f"ipykernel {version('ipykernel')}"
    problems = [f"{where}: Kernel.{name} is gone" for name in _METHODS if not callable(getattr(Kernel, name, None))]
    try:
        init = inspect.getsource(Kernel.__init__)
    except (OSError, TypeError):  # no source: cannot tell; the call sites degrade or fail loudly
        init = "".join(f"self.{name} =" for name in _ATTRIBUTES)
    problems += [f"{where}: Kernel.{name} is no longer set in __init__" for name in _ATTRIBUTES
                 if f"self.{name} =" not in init]
    traits = Kernel.class_traits()
    problems += [f"{where}: Kernel.{name} is no longer a trait" for name in _TRAITS if name not in traits]
    try:
        out_init = inspect.getsource(OutStream.__init__)
    except (OSError, TypeError):
        out_init = "".join(f"self.{name} =" for name in _OUTSTREAM_FIELDS)
    problems += [f"{where}: OutStream.{name} is no longer set in __init__" for name in _OUTSTREAM_FIELDS
                 if f"self.{name} =" not in out_init]
    dispatch = getattr(Kernel, "dispatch_shell", None)
    if callable(dispatch) and "concurrent" not in inspect.signature(dispatch).parameters:
        problems.append(f"{where}: Kernel.dispatch_shell(concurrent=) is gone (kernel.shell_main uses it)")
    return problems
