"""What every tool call shares: the kernel, its runner and the run registry.

The kernel starts in the background so the MCP handshake is not held up; calls wait for it and
get its start-up failure as a clear tool error. One state serves every client connection (stdio,
each HTTP session, each SSE stream): they all drive the same Stata session.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from .config import BridgeConfig
from .kernel import KernelConnection, KernelError, KernelUnavailable, make_kernel
from .kernel.pool import KernelPool, UnavailableKernel
from .runner import Runner
from .runs import RunRegistry

log = logging.getLogger(__name__)


class BridgeState:
    """Shared by all tool calls of one bridge process."""

    def __init__(self, config: BridgeConfig, kernel: KernelConnection) -> None:
        self.config = config
        self.kernel = kernel
        self.runs = RunRegistry(log_window=config.log_window_chars)
        self.runner = Runner(self.runs)  # owns this kernel's runs: lock, current, background, cancel
        self._started = anyio.Event()
        self._start_error: str | None = None
        self.pool: KernelPool[BridgeState] | None = None  # --kernel-per-session

    def for_session(self, session: object) -> BridgeState:
        """The state a session's calls use: this one, or with --kernel-per-session its own kernel's."""
        return self if self.pool is None else self.pool.slot_for(session)

    async def start_kernel(self) -> None:
        try:
            await self.kernel.start()
            log.info("connected to %s", self.kernel.description)
        except KernelError as exc:
            self._start_error = str(exc)
            log.error("kernel unavailable: %s", exc)
        except Exception as exc:  # a bug or an unexpected answer must not take the bridge down with it
            self._start_error = f"{type(exc).__name__}: {exc}"
            log.exception("kernel start failed unexpectedly")
        finally:
            self._started.set()

    async def ready_kernel(self) -> KernelConnection:
        """The kernel once started; ``KernelUnavailable`` naming the cause when it could not start."""
        if not self._started.is_set():  # once started, no pass through the event loop (every call asks)
            await self._started.wait()
        if self._start_error is not None:
            raise KernelUnavailable(f"The Stata kernel is unavailable: {self._start_error}")
        return self.kernel


@asynccontextmanager
async def open_state(config: BridgeConfig) -> AsyncIterator[BridgeState]:
    """Start the kernel in the background; always shut it down on the way out."""
    if config.kernel_per_session:
        async with _open_pooled_state(config) as front:
            yield front
        return
    kernel = make_kernel(
        kernel_name=config.kernel_name,
        connection_file=config.connection_file,
        server=config.server,
    )
    state = BridgeState(config, kernel)
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(state.start_kernel)
            yield state
            tg.cancel_scope.cancel()
    finally:
        with anyio.CancelScope(shield=True):
            await kernel.close()
            log.info("kernel connection closed")


@asynccontextmanager
async def _open_pooled_state(config: BridgeConfig) -> AsyncIterator[BridgeState]:
    """--kernel-per-session: the front state only routes each session (``for_session``) to its own."""

    def new_kernel() -> KernelConnection:
        return make_kernel(kernel_name=config.kernel_name, server=config.server)

    pool: KernelPool[BridgeState] = KernelPool(
        new_kernel, lambda kernel: BridgeState(config, kernel),
        size=config.pool_size, warm=config.pool_warm, idle_timeout=config.pool_idle_s,
    )
    unrouted = (
        "This bridge runs one kernel per MCP session (--kernel-per-session), but this request was not "
        "routed to a session's kernel."
    )
    front = BridgeState(config, UnavailableKernel(unrouted))
    front.pool = pool
    front._start_error = unrouted  # the front never starts a kernel: calls reaching it get this
    front._started.set()
    async with pool.running():
        yield front
