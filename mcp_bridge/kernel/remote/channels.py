"""A kernel's ``/api/kernels/{id}/channels`` websocket, made to look like the small part of
jupyter_client's ``AsyncKernelClient`` that ``jupyter.KernelChannels`` uses.

It reconnects after a drop: the server buffers a lone client's messages and replays them to the same
``session_id``; runs that were in flight get a note in their output, or a clear failure when their end
was lost. Both go to the runs through ``RunEnds`` (``KernelChannels``), never as made-up kernel messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote, urlsplit, urlunsplit

import anyio
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClientConnection, WebSocketClosedError, websocket_connect

from ..errors import KernelError, KernelUnavailable
from ..events import RunFailure
from ..local import READY_TIMEOUT
from .queues import Heartbeat, QueueChannel, ReplyWaiter
from .rest import REST_TIMEOUT, RESTART_TIMEOUT, ServerAPI
from .wire import V1_PROTOCOL, MessageFactory, decode_legacy, decode_v1, encode_legacy, encode_v1

log = logging.getLogger(__name__)

# How long a dropped websocket is retried before the runs in flight are given up.
RECONNECT_WINDOW = 60.0
SYNC_TIMEOUT = 10.0
# A kernel that restarted answers kernel_info within this on a socket wired to it (else: a new socket).
VERIFY_TIMEOUT = 5.0
# Pings notice a silently dead connection (no FIN ever arrives) within about twice this
# (tornado caps the ping timeout at the interval).
PING_INTERVAL = 10.0
# Graphs travel as base64 in one frame; tornado's default cap (10 MiB) is too tight for big ones.
MAX_FRAME_BYTES = 512 * 1024 * 1024
NOTE = "[stata-live]"


class ConnectionLost(KernelError):
    """The websocket to the Jupyter Server dropped and could not be re-established."""


class RunEnds(Protocol):
    """Where the runs in flight live (``jupyter.KernelChannels``): told of drops and lost ends."""

    def note_run(self, msg_id: str, text: str) -> None: ...

    def end_run(self, msg_id: str, failure: RunFailure) -> None: ...


KernelGone = Callable[[str], None]
"""Told why the kernel is gone for good ("it no longer exists on the server"...)."""
KernelRestartedByServer = Callable[[], None]


class WebsocketClient:
    """A kernel's ``/channels`` websocket with the interface ``KernelChannels`` expects of a client.

    Incoming messages go to per-channel queues (read by ``KernelChannels``' readers), except
    replies to this class's own requests (readiness and re-sync checks). Outgoing messages written
    while the connection is down wait in a backlog and go out after reconnecting.
    """

    def __init__(
        self,
        api: ServerAPI,
        kernel_id: str,
        *,
        on_gone: KernelGone,
        on_server_restart: KernelRestartedByServer,
    ) -> None:
        self.api = api
        self.kernel_id = kernel_id
        self.session = MessageFactory(uuid.uuid4().hex)
        self.iopub_channel = QueueChannel("iopub", self)
        self.shell_channel = QueueChannel("shell", self)
        self.control_channel = QueueChannel("control", self)
        self.stdin_channel = QueueChannel("stdin", self)
        self.hb_channel = Heartbeat(self)
        self.protocol: str | None = None
        self.gone = False
        self.reconnects = 0
        self._on_gone = on_gone
        self._on_server_restart = on_server_restart
        self.runs: RunEnds | None = None  # set once KernelChannels wraps this client
        self._conn: WebSocketClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._reconnector: asyncio.Task[None] | None = None
        self._backlog: list[tuple[str, dict[str, Any]]] = []
        self._waiters: dict[str, ReplyWaiter] = {}
        self._open_runs: set[str] = set()  # execute requests sent whose idle status was not seen
        self._closing = False
        self._dropped = False  # the socket dropped and is not back (yet)
        self.connected = asyncio.Event()

    # -- what KernelChannels calls --

    def start_channels(self) -> None:
        """The websocket is opened by ``connect`` (it must be awaited); nothing to do here."""

    async def wait_for_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """``kernel_info`` on control: answered even while the kernel is busy with someone's cell."""
        try:
            await self.request("control", "kernel_info_request", {}, timeout)
        except (TimeoutError, ConnectionLost) as exc:
            raise RuntimeError(f"the kernel did not answer kernel_info within {timeout:g} s ({exc})") from exc

    def stop_channels(self) -> None:
        self._closing = True
        for task in (self._reader, self._reconnector):
            if task is not None:
                task.cancel()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.connected.clear()

    def execute(
        self,
        code: str,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: dict[str, str] | None = None,
        allow_stdin: bool | None = None,
        stop_on_error: bool = True,
    ) -> str:
        msg = self.session.msg("execute_request", {
            "code": code,
            "silent": silent,
            "store_history": store_history,
            "user_expressions": dict(user_expressions or {}),
            "allow_stdin": bool(allow_stdin),
            "stop_on_error": stop_on_error,
        })
        self._open_runs.add(msg["msg_id"])
        self.send("shell", msg)
        return str(msg["msg_id"])

    # -- connection --

    async def connect(self) -> None:
        """Open the websocket (first time); raises ``KernelUnavailable`` with the reason."""
        await self._open()

    async def aclose(self) -> None:
        self.stop_channels()
        for task in (self._reader, self._reconnector):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def reopen(self) -> None:
        """Replace the websocket by a fresh one that is proven to reach the kernel (after a restart).

        The server's restarter announces ``restarting`` before the new process has its ports, and
        a socket opened in that window is wired to the dead one for good; reusing the session id
        would also hand back channels buffered for the old process. So: a new session id each time,
        and a ``kernel_info`` round trip (reply and iopub idle) before the socket is trusted; else
        try again until ``RESTART_TIMEOUT``. Nothing is lost: the runs in flight ended with the restart.
        """
        deadline = time.monotonic() + RESTART_TIMEOUT
        while True:
            try:
                await self._replace_socket()
                await self.request("shell", "kernel_info_request", {}, VERIFY_TIMEOUT, wait_idle=True, direct=True)
                break
            except (TimeoutError, KernelUnavailable) as exc:
                if time.monotonic() > deadline:
                    raise ConnectionLost(
                        f"the kernel did not answer on a new websocket within {RESTART_TIMEOUT:g} s of its restart"
                    ) from exc
                log.info("the new kernel websocket does not reach the kernel yet (%s); opening another", exc)
                if isinstance(exc, KernelUnavailable):
                    await anyio.sleep(0.5)  # retry pace towards a server that refused, not a sync
        self._flush_backlog()

    async def _replace_socket(self) -> None:
        old = self._conn
        self._conn = None
        self.connected.clear()
        self.session = MessageFactory(uuid.uuid4().hex)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if old is not None:
            old.close()
        await self._open()

    def _ws_url(self) -> str:
        parts = urlsplit(self.api.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        path = f"{parts.path}/api/kernels/{quote(self.kernel_id)}/channels"
        return urlunsplit((scheme, parts.netloc, path, f"session_id={self.session.session}", ""))

    async def _open(self) -> None:
        request = HTTPRequest(self._ws_url(), headers=self.api.headers, connect_timeout=REST_TIMEOUT,
                              request_timeout=REST_TIMEOUT, ssl_options=self.api.tls)
        try:
            conn = await websocket_connect(
                request,
                subprotocols=[V1_PROTOCOL],
                ping_interval=PING_INTERVAL,
                ping_timeout=PING_INTERVAL,
                max_message_size=MAX_FRAME_BYTES,
            )
        except HTTPClientError as exc:
            if exc.code in (401, 403):
                raise KernelUnavailable(self.api.auth_failure(exc.code)) from exc
            if exc.code == 404:
                raise KernelUnavailable(f"No kernel {self.kernel_id} on the Jupyter Server at {self.api.url}.") from exc
            raise KernelUnavailable(f"The kernel websocket of {self.api.url} was refused: {exc}") from exc
        except (OSError, TimeoutError) as exc:
            raise KernelUnavailable(f"Cannot open the kernel websocket at {self.api.url}: {exc}") from exc
        self.protocol = conn.selected_subprotocol
        self._conn = conn
        self._dropped = False
        self.connected.set()
        self._reader = asyncio.create_task(self._read(conn), name="kernel-websocket")
        log.info("kernel websocket open (%s protocol)", self.protocol or "legacy JSON")

    def send(self, channel: str, msg: dict[str, Any]) -> None:
        """Write one message; while disconnected it waits in the backlog (order kept)."""
        if self._conn is None or not self.connected.is_set() or self._backlog:
            self._backlog.append((channel, msg))
            if self._dropped and not self._closing and (self._reconnector is None or self._reconnector.done()):
                # An earlier reconnection gave up: this call tries again (and fails clearly if it must).
                self._reconnector = asyncio.get_running_loop().create_task(self._reconnect())
            return
        self._write(self._conn, channel, msg)

    def _write(self, conn: WebSocketClientConnection, channel: str, msg: dict[str, Any]) -> None:
        try:
            if self.protocol == V1_PROTOCOL:
                future = conn.write_message(encode_v1(channel, msg), binary=True)
            else:
                future = conn.write_message(encode_legacy(channel, msg))
        except WebSocketClosedError:
            self._backlog.append((channel, msg))
            return
        future.add_done_callback(_ignore_closed)

    def _flush_backlog(self) -> None:
        backlog, self._backlog = self._backlog, []
        for channel, msg in backlog:
            self.send(channel, msg)

    async def request(
        self,
        channel: str,
        msg_type: str,
        content: dict[str, Any],
        timeout: float,
        *,
        wait_idle: bool = False,
        direct: bool = False,
    ) -> dict[str, Any]:
        """Send a request of this class's own and wait for its reply (never seen by KernelChannels).

        ``wait_idle`` also waits for its ``status: idle`` on iopub, which orders it after every
        iopub message the kernel published before it. ``direct`` skips the backlog (re-sync).
        """
        msg = self.session.msg(msg_type, content)
        waiter = ReplyWaiter(wait_idle)
        self._waiters[msg["msg_id"]] = waiter
        try:
            if direct and self._conn is not None:
                self._write(self._conn, channel, msg)
            else:
                self.send(channel, msg)
            await asyncio.wait_for(waiter.done.wait(), timeout)
            assert waiter.reply is not None
            return waiter.reply
        finally:
            self._waiters.pop(msg["msg_id"], None)

    async def _read(self, conn: WebSocketClientConnection) -> None:
        while True:
            frame = await conn.read_message()
            if frame is None:
                break
            try:
                channel, msg = decode_v1(frame) if self.protocol == V1_PROTOCOL else decode_legacy(frame)  # type: ignore[arg-type]
            except Exception:
                log.exception("could not decode a kernel websocket frame")
                continue
            self._dispatch(channel, msg)
        if conn is self._conn and not self._closing:
            log.warning("the kernel websocket dropped (%s); reconnecting", conn.close_reason or "no reason given")
            self._conn = None
            self._dropped = True
            self.connected.clear()
            self._reconnector = asyncio.create_task(self._reconnect(), name="kernel-websocket-reconnect")

    def _dispatch(self, channel: str, msg: dict[str, Any]) -> None:
        parent_id = msg["parent_header"].get("msg_id", "")
        waiter = self._waiters.get(parent_id)
        if waiter is not None:
            waiter.feed(channel, msg)
            return
        if channel == "iopub" and msg["msg_type"] == "status":
            state = msg["content"].get("execution_state")
            if state == "idle":
                self._open_runs.discard(parent_id)
            elif not parent_id and state in ("restarting", "dead"):
                self._server_lifecycle(state)
        queue = {"iopub": self.iopub_channel, "shell": self.shell_channel, "control": self.control_channel,
                 "stdin": self.stdin_channel}.get(channel)
        if queue is not None:
            queue.queue.put_nowait(msg)

    def _server_lifecycle(self, state: str) -> None:
        """The server's own status messages: its restarter restarted the dead kernel, or gave up."""
        self._open_runs.clear()
        if state == "dead":
            self.gone = True
            self._on_gone("it died and the Jupyter Server could not restart it")
        else:
            self._on_server_restart()

    async def _reconnect(self) -> None:
        """Reopen the websocket with the same ``session_id`` (so the server replays what it buffered)."""
        dropped_at = time.monotonic()
        in_flight = set(self._open_runs)
        delay = 0.1
        while True:
            try:
                if await self.api.get_kernel(self.kernel_id) is None:
                    self._give_up("it no longer exists on the Jupyter Server", gone=True)
                    return
                await self._open()
                break
            except KernelUnavailable as exc:
                if time.monotonic() - dropped_at > RECONNECT_WINDOW:
                    self._give_up(f"the Jupyter Server could not be reached again: {exc}", gone=False)
                    return
                log.info("reconnect failed (%s); retrying in %.1f s", exc, delay)
            # Backoff between attempts to reach a server that is not there: a retry pace, not a sync.
            await anyio.sleep(delay)
            delay = min(2 * delay, 2.0)
        self.reconnects += 1
        # Order matters. (1) The server's view of the kernel, taken after our iopub is subscribed again
        # (the server made sure of that before accepting the socket). (2) A control request whose
        # idle status comes after everything the kernel published before (1). So a run still open
        # after (2) while the server said "idle" at (1) had ended before: its end was lost.
        model = None
        try:
            model = await self.api.get_kernel(self.kernel_id)
            await self.request("control", "kernel_info_request", {}, SYNC_TIMEOUT, wait_idle=True, direct=True)
        except (TimeoutError, KernelError) as exc:
            log.warning("could not re-sync after reconnecting (%s); opening a fresh websocket", exc)
            with contextlib.suppress(KernelError):
                await self.reopen()
        model = model or {}
        buffered = int(model.get("connections", 1)) <= 1
        idle = model.get("execution_state") == "idle"
        gap = time.monotonic() - dropped_at
        unsent = {msg["msg_id"] for _, msg in self._backlog}  # goes out below: nothing of it was lost
        for msg_id in sorted((in_flight & self._open_runs) - unsent):
            if idle:
                self._end_lost_run(msg_id, gap)
            else:
                self._note(msg_id, _drop_note(gap, buffered))
        log.info("kernel websocket reconnected after %.1f s", gap)
        self._flush_backlog()

    def _give_up(self, why: str, *, gone: bool) -> None:
        if gone:
            self.gone = True
            self._open_runs.clear()
            self._on_gone(why)
            return
        # Every run waiting on this connection ends, including those never sent: their requests are
        # dropped, so nothing runs later behind the caller's back.
        self._backlog.clear()
        for msg_id in sorted(self._open_runs):
            self._end_lost_run(msg_id, None, why)

    def _note(self, msg_id: str, text: str) -> None:
        if self.runs is not None:
            self.runs.note_run(msg_id, text)

    def _end_lost_run(self, msg_id: str, gap: float | None, why: str = "") -> None:
        """Finish a run whose end went by while disconnected, with a failure that says so."""
        if gap is not None:
            why = (f"the connection to the Jupyter Server dropped during this run and, by the time it was "
                   f"restored ({gap:.1f} s later), the kernel had finished it; its output from the drop on "
                   "and its outcome were lost (the server keeps them only when no other client is "
                   "connected to the kernel)")
            after = "The session is usable; check the state with a new run."
        else:
            after = "The run's outcome is unknown; the next call tries to reconnect."
        self._open_runs.discard(msg_id)
        if self.runs is not None:
            self.runs.end_run(msg_id, RunFailure("ConnectionLost", f"Connection lost: {why}. {after}"))


def _drop_note(gap: float, buffered: bool) -> str:
    kept = (
        "the server kept the output printed meanwhile, so this log should be complete"
        if buffered
        else "other clients were connected to the kernel, so the server did not keep the output printed "
        "meanwhile: some of it is missing here"
    )
    return (f"\n{NOTE} The connection to the Jupyter Server dropped during this run and was restored after "
            f"{gap:.1f} s; {kept}.\n")


def _ignore_closed(future: asyncio.Future[None]) -> None:
    """A write to a socket that closed meanwhile: the drop is handled by the reader."""
    if not future.cancelled() and future.exception() is not None:
        log.debug("websocket write failed: %s", future.exception())


# --- the KernelConnection ----------------------------------------------------------------------
