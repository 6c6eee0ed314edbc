"""The seam between tools and kernels: local (owned or attached) today, Jupyter Server later.

A new kind of kernel (e.g. a tornado websocket to a Jupyter Server) implements this protocol and is
picked in ``kernel.factory``; nothing above this layer changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from .events import Execution, KernelEvent

EventSink = Callable[[KernelEvent], None]
"""Receives each event as it arrives; must not block (it runs on the event loop)."""


class KernelConnection(Protocol):
    """One Jupyter kernel the bridge talks to."""

    @property
    def owned(self) -> bool:
        """True when the bridge started the kernel (so it may restart it)."""
        ...

    @property
    def description(self) -> str:
        """Human-readable identity, for logs and tool texts."""
        ...

    @property
    def busy(self) -> bool:
        """True while the kernel reports itself busy (for any client's request)."""
        ...

    async def start(self) -> None:
        """Start or connect; raises ``KernelUnavailable`` with a clear reason."""
        ...

    async def close(self) -> None:
        """Disconnect; shut the kernel down when owned."""
        ...

    async def execute(
        self,
        code: str,
        on_event: EventSink,
        *,
        silent: bool = False,
        user_expressions: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Execution:
        """Run code until the kernel is idle for it, passing events to ``on_event`` as they arrive.

        Past ``timeout`` seconds, or when the caller is cancelled, the run is interrupted and its
        end awaited (``Execution.timed_out`` is set; cancellation is re-raised). Raises
        ``KernelDied`` when the kernel dies meanwhile (after restarting it when owned) and
        ``KernelRestarted`` when ``restart()`` was called meanwhile.
        """
        ...

    async def interrupt(self) -> None:
        """Ask the kernel to break the running command (``interrupt_request`` on control)."""
        ...

    async def restart(self) -> None:
        """Restart an owned kernel; raises ``NotSupported`` for kernels owned by someone else."""
        ...

    async def is_alive(self) -> bool: ...

