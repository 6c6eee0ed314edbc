"""Kernels reached over local ZMQ: one the bridge starts and owns, or one it attaches to.

Both share the run logic: submit, wait for idle, and on a time limit or a cancelled call send a
break and wait for Stata to stop before giving control back, so the session stays usable.
A watcher notices a dead kernel (process gone, or heartbeats missed for an attached one) and ends
the run in progress at once instead of letting it wait forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

import anyio
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import NoSuchKernel
from jupyter_client.manager import AsyncKernelManager

from .base import EventSink
from .errors import KernelDied, KernelError, KernelRestarted, KernelUnavailable, NotSupported
from .events import Execution
from .jupyter import KernelChannels, RunHandle, unlimited_context

log = logging.getLogger(__name__)

READY_TIMEOUT = 60.0
INTERRUPT_GRACE = 10.0  # how long a break may take before the bridge stops waiting for it
WATCH_INTERVAL = 0.25


class _ChannelKernel:
    """Run logic shared by local kernels; subclasses say how to start, check and stop."""

    owned = False

    def __init__(self) -> None:
        self._channels: KernelChannels | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._recovering = asyncio.Lock()
        self._dead = False

    @property
    def description(self) -> str:
        raise NotImplementedError

    @property
    def busy(self) -> bool:
        return self._channels is not None and self._channels.busy

    async def is_alive(self) -> bool:
        raise NotImplementedError

    async def interrupt(self) -> None:
        raise NotImplementedError

    async def _recover(self) -> bool:
        """Make the kernel usable again after death; return True when it was restarted."""
        raise NotImplementedError

    async def execute(
        self,
        code: str,
        on_event: EventSink,
        *,
        silent: bool = False,
        user_expressions: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Execution:
        if self._dead:
            restarted = await self._recover_once()
            raise KernelDied(restarted, "it had died before this call; the code was not run")
        channels = self._require_channels()
        handle = channels.submit(code, on_event, silent=silent, user_expressions=user_expressions)
        try:
            if timeout is None:
                return await self._wait(handle)
            with anyio.move_on_after(timeout):
                return await self._wait(handle)
            log.info("run passed its time limit of %ss; interrupting", timeout)
            execution = await self._break_and_wait(handle)
            if execution is None:
                raise KernelError(
                    f"The run passed its time limit ({timeout:g} s) and Stata did not stop within "
                    f"{INTERRUPT_GRACE:g} s of the break; it may still be running."
                )
            execution.timed_out = True
            return execution
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                if not handle.finished:
                    log.info("call cancelled; interrupting the run")
                    with contextlib.suppress(Exception):
                        await self._break_and_wait(handle)
            raise

    async def _wait(self, handle: RunHandle) -> Execution:
        try:
            return await handle.wait()
        except KernelDied as died:
            if self.owned:
                restarted = await self._recover_once()
                raise KernelDied(restarted, died.detail) from died
            raise

    async def _break_and_wait(self, handle: RunHandle) -> Execution | None:
        await self.interrupt()
        with anyio.move_on_after(INTERRUPT_GRACE):
            return await self._wait(handle)
        return None

    async def _recover_once(self) -> bool:
        async with self._recovering:
            if not self._dead:
                return True  # another caller already recovered
            try:
                restarted = await self._recover()
            except KernelError:
                raise
            except Exception as exc:
                raise KernelUnavailable(f"the kernel died and could not be restarted: {exc}") from exc
            if restarted:
                self._dead = False
            return restarted

    def _require_channels(self) -> KernelChannels:
        if self._channels is None:
            raise KernelUnavailable("the kernel is not connected")
        return self._channels

    def _start_watcher(self) -> None:
        self._watcher = asyncio.create_task(self._watch(), name="kernel-watch")

    async def _stop_watcher(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None

    async def _watch(self) -> None:
        """Poll liveness (a watch, not an output timer) and end pending runs when it dies."""
        while True:
            await asyncio.sleep(WATCH_INTERVAL)
            if self._dead or self._channels is None:
                continue
            try:
                alive = await self.is_alive()
            except Exception:
                log.exception("liveness check failed")
                continue
            if not alive:
                detail = self._death_detail()
                log.warning("%s died (%s)", self.description, detail or "no exit status")
                self._dead = True
                self._channels.abort_all(KernelDied(False, detail))

    def _death_detail(self) -> str:
        """How the process ended, when this bridge can know (only for a process it started)."""
        return ""


class OwnedKernel(_ChannelKernel):
    """A kernel this bridge starts from a kernelspec, passes Stata's env to, and restarts."""

    owned = True

    def __init__(self, kernel_name: str, env: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self._kernel_name = kernel_name
        self._env = dict(os.environ if env is None else env)
        self._manager = AsyncKernelManager(kernel_name=kernel_name, context=unlimited_context())
        self._manager.shutdown_wait_time = 3.0

    @property
    def description(self) -> str:
        return f"kernel {self._kernel_name!r} started by the bridge"

    async def start(self) -> None:
        try:
            # The kernel's own fd 1 must not reach ours: on stdio, stdout is the MCP channel.
            await self._manager.start_kernel(env=self._env, stdout=sys.stderr.fileno())
        except NoSuchKernel as exc:
            raise KernelUnavailable(
                f"No Jupyter kernelspec named {self._kernel_name!r}. Install it with "
                "`python -m stata_kernel install --sys-prefix` or pick another with --kernel-name."
            ) from exc
        except Exception as exc:
            raise KernelUnavailable(f"Could not start kernel {self._kernel_name!r}: {exc}") from exc
        await self._connect()
        self._start_watcher()

    async def _connect(self) -> None:
        client: AsyncKernelClient = self._manager.client(context=unlimited_context())
        channels = KernelChannels(client)
        try:
            await channels.open(READY_TIMEOUT)
        except KernelError as exc:
            raise KernelUnavailable(f"Kernel {self._kernel_name!r} did not become ready: {exc}") from exc
        self._channels = channels

    async def close(self) -> None:
        await self._stop_watcher()
        if self._channels is not None:
            await self._channels.close()
            self._channels = None
        if self._manager.has_kernel:
            with contextlib.suppress(Exception):
                await self._manager.shutdown_kernel()

    async def is_alive(self) -> bool:
        return bool(await self._manager.is_alive())

    def _death_detail(self) -> str:
        process = getattr(self._manager.provisioner, "process", None)
        code = getattr(process, "returncode", None)
        if code is None:
            return ""
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"killed by {name}"
        return f"exit status {code}"

    async def interrupt(self) -> None:
        await self._manager.interrupt_kernel()

    async def restart(self) -> None:
        channels = self._channels
        if channels is not None:
            channels.abort_all(KernelRestarted("the kernel was restarted (stata_restart) during this run"))
        async with self._recovering:
            try:
                await self._restart_process()
            except KernelError:
                raise
            except Exception as exc:
                raise KernelUnavailable(f"the kernel could not be restarted: {exc}") from exc
            self._dead = False

    async def _recover(self) -> bool:
        await self._restart_process()
        return True

    async def _restart_process(self) -> None:
        log.info("restarting the %s", self.description)
        if self._channels is not None:
            await self._channels.close()
            self._channels = None
        await self._manager.restart_kernel(now=True, env=self._env)
        await self._connect()


class AttachedKernel(_ChannelKernel):
    """A kernel someone else started (e.g. a notebook's), reached through its connection file."""

    def __init__(self, connection_file: str | os.PathLike[str]) -> None:
        super().__init__()
        self._path = Path(connection_file).expanduser()

    @property
    def description(self) -> str:
        return f"kernel attached through {self._path}"

    async def start(self) -> None:
        if not self._path.is_file():
            raise KernelUnavailable(f"Connection file {self._path} does not exist or is not a file.")
        client = AsyncKernelClient(context=unlimited_context())
        try:
            client.load_connection_file(str(self._path))
        except Exception as exc:
            raise KernelUnavailable(f"Cannot read connection file {self._path}: {exc}") from exc
        channels = KernelChannels(client)
        try:
            await channels.open(READY_TIMEOUT)
        except KernelError as exc:
            raise KernelUnavailable(f"The kernel of {self._path} did not answer: {exc}") from exc
        self._channels = channels
        self._start_watcher()

    async def close(self) -> None:
        await self._stop_watcher()
        if self._channels is not None:
            await self._channels.close()
            self._channels = None

    async def is_alive(self) -> bool:
        return self._channels is not None and self._channels.heartbeat_ok()

    async def interrupt(self) -> None:
        self._require_channels().send_interrupt()

    async def restart(self) -> None:
        raise NotSupported(
            "This bridge is attached to a kernel it does not own (--connection-file); restart it from "
            "its owner, e.g. the notebook's Kernel > Restart."
        )

    async def _recover(self) -> bool:
        return bool(await self.is_alive())

