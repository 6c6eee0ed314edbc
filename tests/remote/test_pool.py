"""The kernel pool behind --kernel-per-session, on stand-in kernels (its bookkeeping, not Stata)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Mapping

import anyio
import pytest

from mcp_bridge.config import BridgeConfig, ConfigError
from mcp_bridge.kernel import KernelUnavailable, ServerTarget
from mcp_bridge.kernel.pool import KernelPool
from mcp_bridge.state import BridgeState


class StandInKernel:
    """Counts starts and closes; ``busy`` can be set to mimic a long run."""

    owned = True

    def __init__(self, log: list[str], number: int) -> None:
        self.log = log
        self.number = number
        self.busy = False
        self.started = anyio.Event()
        self.closed = anyio.Event()

    @property
    def description(self) -> str:
        return f"stand-in {self.number}"

    async def start(self) -> None:
        self.log.append(f"start {self.number}")
        self.started.set()

    async def close(self) -> None:
        self.log.append(f"close {self.number}")
        self.closed.set()

    async def execute(self, code: str, on_event, *, silent: bool = False,
                      user_expressions: Mapping[str, str] | None = None, timeout: float | None = None):
        raise NotImplementedError

    async def interrupt(self) -> None: ...

    async def restart(self) -> None: ...

    async def is_alive(self) -> bool:
        return True


class Session:
    """Stands for the MCP SDK's per-connection session object (hashable, weak-referenceable)."""


def make_pool(size: int = 2, warm: int = 1, idle: float = 3600.0):
    log: list[str] = []
    kernels: list[StandInKernel] = []

    def new_kernel() -> StandInKernel:
        kernel = StandInKernel(log, len(kernels) + 1)
        kernels.append(kernel)
        return kernel

    pool = KernelPool(new_kernel, lambda k: BridgeState(BridgeConfig(), k), size=size, warm=warm, idle_timeout=idle)
    return pool, kernels, log


async def test_warm_kernels_are_started_before_any_session() -> None:
    pool, kernels, _ = make_pool(size=3, warm=2)
    async with pool.running():
        with anyio.fail_after(10):
            for kernel in kernels:
                await kernel.started.wait()
        assert len(kernels) == 2 and pool.sessions == 0


async def test_each_session_gets_its_own_kernel_and_keeps_it() -> None:
    pool, kernels, _ = make_pool(size=3, warm=1)
    a, b = Session(), Session()
    async with pool.running():
        first_a = pool.slot_for(a)
        first_b = pool.slot_for(b)
        assert first_a.kernel is not first_b.kernel
        assert pool.slot_for(a) is first_a and pool.slot_for(b) is first_b
        assert first_a.kernel is kernels[0]  # the warm one went to the first session
        with anyio.fail_after(10):
            assert await first_a.ready_kernel() is first_a.kernel


async def test_a_session_beyond_the_size_is_refused_clearly_until_room_frees_up() -> None:
    pool, kernels, _ = make_pool(size=2, warm=0)
    a, b, c = Session(), Session(), Session()
    async with pool.running():
        pool.slot_for(a)
        pool.slot_for(b)
        refused = pool.slot_for(c)
        with anyio.fail_after(10), pytest.raises(KernelUnavailable, match=r"All 2 kernels .* in use"):
            await refused.ready_kernel()
        assert len(kernels) == 2
        pool.release(a)
        with anyio.fail_after(10):
            await kernels[0].closed.wait()
            granted = pool.slot_for(c)
            assert await granted.ready_kernel() is kernels[2]


async def test_ending_a_session_shuts_its_kernel_down_and_refills_the_spare() -> None:
    pool, kernels, log = make_pool(size=3, warm=1)
    a = Session()
    async with pool.running():
        mine = pool.slot_for(a).kernel
        pool.release(a)
        with anyio.fail_after(10):
            await mine.closed.wait()
            await kernels[-1].started.wait()
        assert pool.in_use == 1  # just the new spare
    assert sorted(log) == sorted(["start 1", "start 2", "close 1", "close 2"])


async def test_a_session_object_collected_by_the_transport_frees_its_kernel() -> None:
    pool, _, _ = make_pool(size=2, warm=0)
    a = Session()
    async with pool.running():
        mine = pool.slot_for(a).kernel
        del a
        gc.collect()
        with anyio.fail_after(10):
            await mine.closed.wait()
        assert pool.sessions == 0


async def test_an_idle_session_loses_its_kernel_but_a_busy_one_keeps_it() -> None:
    pool, _, _ = make_pool(size=3, warm=0, idle=0.3)
    idle, running = Session(), Session()
    async with pool.running():
        idle_kernel = pool.slot_for(idle).kernel
        busy_kernel = pool.slot_for(running).kernel
        busy_kernel.busy = True
        with anyio.fail_after(10):
            await idle_kernel.closed.wait()
        assert not busy_kernel.closed.is_set()
        assert pool.sessions == 1
        # The idle session comes back: it gets a fresh kernel.
        assert pool.slot_for(idle).kernel is not idle_kernel


async def test_every_kernel_is_closed_when_the_pool_stops() -> None:
    pool, kernels, _ = make_pool(size=3, warm=1)
    a, b = Session(), Session()
    async with pool.running():
        pool.slot_for(a)
        pool.slot_for(b)
    assert all(k.closed.is_set() for k in kernels) and len(kernels) == 3


def test_per_session_kernels_cannot_attach_to_one_kernel() -> None:
    with pytest.raises(ConfigError, match="--kernel-per-session"):
        BridgeConfig(kernel_per_session=True, connection_file="kernel.json")
    with pytest.raises(ConfigError, match="--kernel-per-session"):
        BridgeConfig(kernel_per_session=True, server=ServerTarget("http://h", None, "abc", "stata-live"))
    with pytest.raises(ConfigError, match="--pool-warm"):
        BridgeConfig(kernel_per_session=True, pool_size=1, pool_warm=2)


async def test_a_connection_closing_its_exit_stack_frees_its_kernel_at_once() -> None:
    """The MCP SDK's per-connection object unwinds ``exit_stack`` when the session ends."""

    class Connection:
        def __init__(self) -> None:
            self.exit_stack = contextlib.AsyncExitStack()

    pool, _, _ = make_pool(size=2, warm=0)
    connection = Connection()
    async with pool.running():
        mine = pool.slot_for(connection).kernel
        await connection.exit_stack.aclose()
        with anyio.fail_after(10):
            await mine.closed.wait()
        assert pool.sessions == 0


async def test_sessions_keyed_by_id_strings_are_released_explicitly() -> None:
    pool, _, _ = make_pool(size=2, warm=0)
    async with pool.running():
        mine = pool.slot_for("session-1").kernel
        assert pool.slot_for("session-1").kernel is mine
        pool.release("session-1")
        with anyio.fail_after(10):
            await mine.closed.wait()


async def test_the_number_of_kernels_never_passes_the_size() -> None:
    pool, kernels, _ = make_pool(size=1, warm=1)
    a, b = Session(), Session()
    async with pool.running():
        pool.slot_for(a)
        refused = pool.slot_for(b)
        assert len(kernels) == 1 and pool.in_use == 1
        with anyio.fail_after(10), pytest.raises(KernelUnavailable):
            await refused.ready_kernel()
