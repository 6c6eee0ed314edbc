"""Where background runs live: a task group that outlasts the tool call that started them.

``stata_run(..., background=true)`` must answer at once, so the run cannot be a child of the
request's task. The server's lifespan opens a :class:`BackgroundHost` (``running()``) and runs are
spawned into it. Over stdio and Streamable HTTP the lifespan is the bridge's whole life, so a background
run survives the client that started it (any client can poll it); over legacy SSE the SDK enters the
lifespan per connection, so the run lives as long as the latest SSE connection. When the host closes
(shutdown) its runs are cancelled, which interrupts Stata like ``stata_cancel`` does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio.abc import TaskGroup


class BackgroundHost:
    """Spawns background runs into the task group(s) of the server's running lifespan(s)."""

    def __init__(self) -> None:
        self._groups: list[TaskGroup] = []

    @asynccontextmanager
    async def running(self) -> AsyncIterator[BackgroundHost]:
        async with anyio.create_task_group() as tg:
            self._groups.append(tg)
            try:
                yield self
            finally:
                self._groups.remove(tg)
                tg.cancel_scope.cancel()

    def spawn(self, fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> None:
        """Start ``fn(*args)``; ``RuntimeError`` when no lifespan is running (nothing would host it)."""
        if not self._groups:
            raise RuntimeError("the server is not running (shutting down?)")
        self._groups[-1].start_soon(fn, *args)
