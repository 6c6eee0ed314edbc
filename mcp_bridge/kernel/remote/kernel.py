"""``ServerKernel``: a ``KernelConnection`` to a kernel on a Jupyter Server (REST for its life, a
websocket for its messages), with the same run logic as local kernels (``local._ChannelKernel``):
time limits, cancellation and breaks behave identically."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from ..errors import KernelDied, KernelError, KernelRestarted, KernelUnavailable, NotSupported
from ..jupyter import KernelChannels
from ..local import READY_TIMEOUT, _ChannelKernel
from .channels import WebsocketClient
from .rest import ServerAPI

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerTarget:
    """Where a Jupyter Server kernel lives (already validated by the CLI)."""

    url: str
    token: str | None
    kernel_id: str | None
    kernel_name: str


class ServerKernel(_ChannelKernel):
    """A kernel on a Jupyter Server: started by the bridge (owned) or attached to with ``--kernel-id``.

    The server may also be a Kernel Gateway or Enterprise Gateway (same REST and websocket API; the
    gateways refuse to list kernels by default, so nothing here depends on the list). Tested against
    Jupyter Server 2 and Kernel Gateway 3 (``tests/remote``).
    """

    def __init__(self, target: ServerTarget) -> None:
        super().__init__()
        self._target = target
        self._api = ServerAPI(target.url, target.token)
        self._kernel_id: str | None = target.kernel_id
        self.owned = target.kernel_id is None
        self._client: WebsocketClient | None = None
        self._reopening: asyncio.Task[None] | None = None

    @property
    def kernel_id(self) -> str | None:
        return self._kernel_id

    @property
    def description(self) -> str:
        who = "started by the bridge" if self.owned else "attached"
        return f"kernel {self._kernel_id or '(not started)'} ({self._target.kernel_name}, {who}) on {self._target.url}"

    @property
    def reconnects(self) -> int:
        """How many times the websocket was re-established after a drop."""
        return self._client.reconnects if self._client is not None else 0

    async def start(self) -> None:
        if self._kernel_id is None:
            model = await self._api.start_kernel(self._target.kernel_name)
            self._kernel_id = str(model["id"])
            log.info("started kernel %s on %s", self._kernel_id, self._target.url)
        elif await self._api.get_kernel(self._kernel_id) is None:
            # Looked up by id (``GET /api/kernels/{id}``), which every server and gateway answers; the
            # list is only for the message, and a Kernel Gateway keeps it to itself by default.
            running = await self._api.kernel_ids()
            known = (
                f"running: {', '.join(running) or 'none'}" if running is not None
                else "the server does not list its kernels (a Kernel Gateway's default), so check the id "
                "with whoever started the kernel"
            )
            raise KernelUnavailable(
                f"No kernel with id {self._kernel_id} on the Jupyter Server at {self._target.url} ({known})."
            )
        await self._connect()
        self._start_watcher()

    async def _connect(self) -> None:
        assert self._kernel_id is not None
        client = WebsocketClient(self._api, self._kernel_id, on_gone=self._kernel_gone,
                                 on_server_restart=self._restarted_by_server)
        await client.connect()
        channels = KernelChannels(client)  # type: ignore[arg-type]  # duck-typed AsyncKernelClient
        client.runs = channels
        try:
            await channels.open(READY_TIMEOUT)
        except KernelError as exc:
            await client.aclose()
            raise KernelUnavailable(
                f"The kernel {self._kernel_id} on {self._target.url} did not answer: {exc}"
            ) from exc
        self._client = client
        self._channels = channels

    async def _disconnect(self) -> None:
        if self._channels is not None:
            await self._channels.close()
            self._channels = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def close(self) -> None:
        await self._stop_watcher()
        await self._disconnect()
        if self.owned and self._kernel_id is not None:
            with contextlib.suppress(KernelError):
                await self._api.delete(self._kernel_id)
                log.info("shut down kernel %s on %s", self._kernel_id, self._target.url)
        await self._api.aclose()

    async def is_alive(self) -> bool:
        """Cheap: the server tells us of a death (status ``dead``, or the kernel gone on reconnect)."""
        return self._client is not None and not self._client.gone

    async def interrupt(self) -> None:
        if self._kernel_id is None:
            raise KernelUnavailable("the kernel is not started")
        await self._api.interrupt(self._kernel_id)

    async def restart(self) -> None:
        if not self.owned:
            raise NotSupported(
                f"This bridge is attached to kernel {self._kernel_id} on {self._target.url} (--kernel-id), which it "
                "does not own; restart it from its owner, e.g. JupyterLab's Kernel > Restart."
            )
        if self._channels is not None:
            self._channels.abort_all(KernelRestarted("the kernel was restarted (stata_restart) during this run"))
        async with self._recovering:
            assert self._kernel_id is not None
            log.info("restarting the %s", self.description)
            await self._api.restart(self._kernel_id)
            if self._client is not None:
                # A fresh websocket: the server re-subscribes its iopub and waits until it hears it.
                await self._client.reopen()
            self._dead = False

    async def _recover(self) -> bool:
        if not self.owned:
            return bool(await self.is_alive())
        log.info("starting a new kernel on %s to replace %s", self._target.url, self._kernel_id)
        await self._disconnect()
        if self._kernel_id is not None:
            with contextlib.suppress(KernelError):
                await self._api.delete(self._kernel_id)
        self._kernel_id = None
        model = await self._api.start_kernel(self._target.kernel_name)
        self._kernel_id = str(model["id"])
        await self._connect()
        return True

    def _kernel_gone(self, why: str) -> None:
        log.warning("%s: %s", self.description, why)
        self._dead = True
        if self._channels is not None:
            self._channels.abort_all(KernelDied(False, why))

    def _restarted_by_server(self) -> None:
        log.warning("the Jupyter Server restarted the dead %s", self.description)
        if self._channels is not None:
            self._channels.abort_all(KernelDied(True, "the Jupyter Server restarted it"))
        if self._client is not None:
            # Fresh socket: the restarter may have given the kernel new ports.
            self._reopening = asyncio.get_running_loop().create_task(self._reopen(self._client))

    async def _reopen(self, client: WebsocketClient) -> None:
        try:
            await client.reopen()
        except KernelError as exc:
            client.gone = True
            self._kernel_gone(f"it did not come back after the Jupyter Server restarted it ({exc})")


def connect_server_kernel(target: ServerTarget) -> ServerKernel:
    """Build (not start) the connection to a kernel on a Jupyter Server."""
    return ServerKernel(target)
