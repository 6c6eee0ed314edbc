"""One kernel per MCP session (``--kernel-per-session``), from a small bounded pool of warm kernels.

Why a pool: starting Stata takes seconds, so a few kernels are started ahead of time and a new
session gets one at once. Why bounded: each kernel is a Stata process (and a licence seat), so at
most ``size`` exist; a session beyond that gets a clear refusal, and gets a kernel as soon as one
frees up. Kernels go away when their session ends (``release``, or when the session object is
garbage-collected) or after ``idle_timeout`` without a call and without a run in progress.

The pool is generic over the *slot* it hands out (the bridge's per-session state), so this module
knows nothing of MCP: the caller passes ``make_slot(kernel)`` and keys leases by a session object.
A key with an ``exit_stack`` (the MCP SDK's per-connection ``Connection``) gets its kernel shut down
when that stack unwinds; any weak-referenceable key when it is garbage-collected; any other key
(a session id string) on ``release`` or idle timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import anyio
from anyio.abc import TaskGroup

from .base import EventSink, KernelConnection
from .errors import KernelUnavailable
from .events import Execution

log = logging.getLogger(__name__)

DEFAULT_SIZE = 4
DEFAULT_WARM = 1
DEFAULT_IDLE_TIMEOUT = 1800.0


class Slot(Protocol):
    """What the pool hands out: something holding one kernel and able to start it."""

    @property
    def kernel(self) -> KernelConnection: ...

    async def start_kernel(self) -> None:
        """Start the kernel, recording (not raising) a failure for the slot's callers."""
        ...


S = TypeVar("S", bound=Slot)


@dataclass
class _Lease(Generic[S]):
    slot: S
    refused: bool = False
    last_used: float = field(default_factory=time.monotonic)


class KernelPool(Generic[S]):
    """Hands each session its own slot (kernel); bounded, pre-started, culled when idle or ended."""

    def __init__(
        self,
        make_kernel: Callable[[], KernelConnection],
        make_slot: Callable[[KernelConnection], S],
        *,
        size: int = DEFAULT_SIZE,
        warm: int = DEFAULT_WARM,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        if size < 1:
            raise ValueError("the pool needs room for at least one kernel")
        if not 0 <= warm <= size:
            raise ValueError("the number of warm kernels must be between 0 and the pool size")
        if idle_timeout <= 0:
            raise ValueError("the idle timeout must be positive")
        self._make_kernel = make_kernel
        self._make_slot = make_slot
        self.size = size
        self.warm = warm
        self.idle_timeout = idle_timeout
        self._spares: list[S] = []
        self._leases: dict[int, _Lease[S]] = {}
        self._tokens: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._plain_tokens: dict[Any, int] = {}
        self._counter = itertools.count(1)
        self._tg: TaskGroup | None = None
        self._changed = anyio.Event()
        self._closing = False
        self._retiring: set[S] = set()  # being shut down in the background

    # -- life --

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[KernelPool[S]]:
        """Pre-start the warm kernels, cull idle ones; close every kernel on the way out."""
        try:
            async with anyio.create_task_group() as tg:
                self._tg = tg
                self._refill()
                tg.start_soon(self._reap)
                yield self
                tg.cancel_scope.cancel()
        finally:
            self._closing = True
            self._tg = None
            with anyio.CancelScope(shield=True):
                slots = [*self._spares, *(lease.slot for lease in self._leases.values() if not lease.refused)]
                slots += self._retiring  # a background shutdown may have been cancelled before it began
                self._spares.clear()
                self._leases.clear()
                self._retiring.clear()
                for slot in slots:
                    await _close(slot)

    # -- leases --

    @property
    def in_use(self) -> int:
        """Kernels that exist (leased or warm): never more than ``size``."""
        return len(self._spares) + sum(1 for lease in self._leases.values() if not lease.refused)

    @property
    def sessions(self) -> int:
        return sum(1 for lease in self._leases.values() if not lease.refused)

    def slot_for(self, session: Any) -> S:
        """The session's slot, made on its first call; marks it used now (for idle culling)."""
        token = self._token(session)
        lease = self._leases.get(token)
        if lease is not None and lease.refused and self.in_use < self.size:
            lease = None  # room again: give the refused session a real kernel now
        if lease is None:
            lease = self._lease_new(token)
        lease.last_used = time.monotonic()
        return lease.slot

    def release(self, session: Any) -> None:
        """The session ended: shut its kernel down (in the background) and refill the spares."""
        try:
            token = self._tokens.pop(session, None)
        except TypeError:  # not weak-referenceable (e.g. a session id string)
            token = self._plain_tokens.pop(session, None)
        if token is not None:
            self._release_token(token)

    def _token(self, session: Any) -> int:
        try:
            token = self._tokens.get(session)
            weak = True
        except TypeError:
            token = self._plain_tokens.get(session)
            weak = False
        if token is not None:
            return token
        token = next(self._counter)
        if weak:
            self._tokens[session] = token
            # Whenever the transport drops the session object, its kernel goes too.
            weakref.finalize(session, self._release_later, token)
        else:
            self._plain_tokens[session] = token
        # The MCP SDK's per-connection object unwinds this stack when the session ends (client
        # DELETE, the SDK's idle timeout, a crash): the prompt, explicit end of a session.
        stack = getattr(session, "exit_stack", None)
        if isinstance(stack, contextlib.AsyncExitStack | contextlib.ExitStack):
            stack.callback(self._release_token, token)
        return token

    def _lease_new(self, token: int) -> _Lease[S]:
        """Lease a spare, else a new kernel, else a refusal; registered before refilling the spares
        so that the count of kernels never passes ``size``."""
        self._leases.pop(token, None)  # a refusal being replaced
        if self._spares:
            lease = _Lease(self._spares.pop(0))
        elif self.in_use < self.size:
            lease = _Lease(self._new_slot())
        else:
            log.warning("pool full (%d kernels): refusing a new session", self.size)
            refusal = (
                f"All {self.size} kernels of this bridge are in use by other sessions (--pool-size "
                f"{self.size}). Try again when one ends or idles out, or ask for a larger pool."
            )
            lease = _Lease(self._new_slot(UnavailableKernel(refusal)), refused=True)
        self._leases[token] = lease
        self._refill()
        log.info("a session got a kernel (%d of %d kernels exist)", self.in_use, self.size)
        return lease

    def _new_slot(self, kernel: KernelConnection | None = None) -> S:
        slot = self._make_slot(kernel if kernel is not None else self._make_kernel())
        if self._tg is None:
            raise KernelUnavailable("the kernel pool is not running")
        self._tg.start_soon(slot.start_kernel)
        return slot

    def _refill(self) -> None:
        """Start spares up to ``warm``, within ``size``."""
        if self._closing or self._tg is None:
            return
        while len(self._spares) < self.warm and self.in_use < self.size:
            self._spares.append(self._new_slot())

    def _release_later(self, token: int) -> None:
        """From a weakref finalizer, i.e. in the middle of a garbage collection: defer the work."""
        if self._closing or self._tg is None:
            return
        with contextlib.suppress(RuntimeError):  # no running loop: the bridge is shutting down
            asyncio.get_running_loop().call_soon(self._release_token, token)

    def _release_token(self, token: int) -> None:
        lease = self._leases.pop(token, None)
        if lease is None or lease.refused:
            return
        log.info("session ended: shutting its kernel down")
        if self._tg is not None:
            self._retiring.add(lease.slot)
            self._tg.start_soon(self._retire, lease.slot)
        self._refill()
        self._wake()

    # -- culling --

    async def _reap(self) -> None:
        """Close kernels whose session made no call for ``idle_timeout`` and is not running code."""
        while True:
            now = time.monotonic()
            deadline = now + self.idle_timeout
            for token, lease in list(self._leases.items()):
                if lease.refused:
                    continue
                expires = lease.last_used + self.idle_timeout
                if expires <= now:
                    if lease.slot.kernel.busy:
                        lease.last_used = now  # a long run is activity: look again later
                        continue
                    log.info("culling the kernel of a session idle for %.0f s", now - lease.last_used)
                    self._release_token(token)
                else:
                    deadline = min(deadline, expires)
            self._changed = anyio.Event()
            with anyio.move_on_after(max(deadline - time.monotonic(), 0.01)):
                await self._changed.wait()

    def _wake(self) -> None:
        self._changed.set()

    async def _retire(self, slot: S) -> None:
        await _close(slot)
        self._retiring.discard(slot)


async def _close(slot: Slot) -> None:
    with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
        await slot.kernel.close()


class UnavailableKernel:
    """A kernel that never starts, and says why on every call (a full pool, an unrouted request)."""

    owned = False
    busy = False

    def __init__(self, reason: str) -> None:
        self._reason = reason

    @property
    def description(self) -> str:
        return "no kernel"

    async def start(self) -> None:
        raise KernelUnavailable(self._reason)

    async def close(self) -> None:
        return None

    async def execute(
        self,
        code: str,
        on_event: EventSink,
        *,
        silent: bool = False,
        user_expressions: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Execution:
        raise KernelUnavailable(self._reason)

    async def interrupt(self) -> None:
        raise KernelUnavailable(self._reason)

    async def restart(self) -> None:
        raise KernelUnavailable(self._reason)

    async def is_alive(self) -> bool:
        return False
