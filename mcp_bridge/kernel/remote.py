"""Kernels on a Jupyter Server (``--server-url``): REST for the kernel's life, a websocket for its messages.

The server owns the kernel process (locally, or on Kubernetes/YARN behind Enterprise Gateway); the
bridge only needs the URL and a token. Three layers, top to bottom:

- ``ServerKernel`` implements ``KernelConnection`` with the same run logic as local kernels
  (``local._ChannelKernel``): time limits, cancellation and breaks behave identically.
- ``WebsocketClient`` makes the ``/api/kernels/{id}/channels`` websocket look like the small part of
  ``AsyncKernelClient`` that ``jupyter.KernelChannels`` uses, so routing by parent ``msg_id`` and
  "a run ends at its own idle + reply" are the very same code as for local kernels. It reconnects
  after a drop: the server buffers a lone client's messages and replays them to the same
  ``session_id``; runs that were in flight get a note in their output, or a clear failure when their
  end was lost.
- ``ServerAPI`` is the REST client (``/api/kernels``), with errors worded for the user.

Wire format: subprotocol ``v1.kernel.websocket.jupyter.org`` when the server offers it (binary
frames: offsets table, channel name, then the message parts), else the legacy JSON text protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import anyio
import httpx
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClientConnection, WebSocketClosedError, websocket_connect

from .errors import KernelDied, KernelError, KernelRestarted, KernelUnavailable, NotSupported
from .jupyter import KernelChannels
from .local import READY_TIMEOUT, _ChannelKernel

log = logging.getLogger(__name__)

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
PROTOCOL_VERSION = "5.3"
REST_TIMEOUT = 30.0
# Restarting a kernel waits for its kernel_info reply on the server; Stata may take a while to load.
RESTART_TIMEOUT = 120.0
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


@dataclass(frozen=True)
class ServerTarget:
    """Where a Jupyter Server kernel lives (already validated by the CLI)."""

    url: str
    token: str | None
    kernel_id: str | None
    kernel_name: str


class ConnectionLost(KernelError):
    """The websocket to the Jupyter Server dropped and could not be re-established."""


class ServerRefused(KernelUnavailable):
    """The server answered a REST request with an HTTP error (``status``) other than a bad token."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ServerAPI:
    """The Jupyter Server REST API for kernels, with failures turned into ``KernelUnavailable``."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self._http: httpx.AsyncClient | None = None  # made on first use: no side effects when built
        self._tls: ssl.SSLContext | None = None

    @property
    def tls(self) -> ssl.SSLContext:
        """One TLS setup for REST and websocket: the system's CAs (``SSL_CERT_FILE`` honoured)."""
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"} if self.token else {}

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def get_kernel(self, kernel_id: str) -> dict[str, Any] | None:
        """The kernel's model (``execution_state``, ``connections``...), or None when it is gone."""
        response = await self._request("GET", f"/api/kernels/{quote(kernel_id)}", missing_ok=True)
        return None if response is None else dict(response.json())

    async def start_kernel(self, kernel_name: str) -> dict[str, Any]:
        try:
            response = await self._request("POST", "/api/kernels", json={"name": kernel_name}, missing_ok=True)
        except ServerRefused as exc:
            # Kernel Gateway answers an unknown kernelspec with HTTP 500 ("Unknown server error"), not 404.
            names = await self._spec_names() if exc.status == 500 else None
            if names is not None and kernel_name not in names:
                raise KernelUnavailable(await self._no_such_spec(kernel_name)) from exc
            raise
        if response is None:
            raise KernelUnavailable(await self._no_such_spec(kernel_name))
        return dict(response.json())

    async def interrupt(self, kernel_id: str) -> None:
        await self._request("POST", f"/api/kernels/{quote(kernel_id)}/interrupt")

    async def restart(self, kernel_id: str) -> None:
        await self._request("POST", f"/api/kernels/{quote(kernel_id)}/restart", timeout=RESTART_TIMEOUT)

    async def delete(self, kernel_id: str) -> None:
        await self._request("DELETE", f"/api/kernels/{quote(kernel_id)}", missing_ok=True)

    async def kernel_ids(self) -> list[str] | None:
        """The running kernels' ids, or None when the server will not list them.

        Kernel Gateway refuses ``GET /api/kernels`` with 403 unless started with
        ``--JupyterWebsocketPersonality.list_kernels=True``. Only called once a request with the same
        token succeeded, so a 403 here is that refusal, not a bad token.
        """
        response = await self._request("GET", "/api/kernels", refused_ok=True)
        if response is None:
            return None
        return [str(model.get("id")) for model in response.json()]

    async def _spec_names(self) -> list[str] | None:
        with contextlib.suppress(Exception):
            response = await self._request("GET", "/api/kernelspecs")
            assert response is not None
            return sorted((response.json().get("kernelspecs") or {}).keys())
        return None

    async def _no_such_spec(self, kernel_name: str) -> str:
        text = f"The Jupyter Server at {self.url} has no kernelspec named {kernel_name!r}"
        names = await self._spec_names()
        if names is not None:
            text += f" (it has: {', '.join(names) or 'none'})"
        return text + ". Install it there (`python -m stata_kernel install`) or pick one with --kernel-name."

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        missing_ok: bool = False,
        refused_ok: bool = False,
        timeout: float = REST_TIMEOUT,
    ) -> httpx.Response | None:
        """One REST call; None for a 404 with ``missing_ok`` or a 403 with ``refused_ok``."""
        if self._http is None:
            # No proxy from the environment: the websocket (tornado) cannot use one, and both must
            # reach the same server the same way.
            self._http = httpx.AsyncClient(base_url=self.url, headers=self.headers, timeout=REST_TIMEOUT,
                                           verify=self.tls, trust_env=False)
        try:
            try:
                response = await self._http.request(method, path, json=json, timeout=timeout)
            except (httpx.ConnectError, httpx.RemoteProtocolError):
                # Once more on a fresh connection: a pooled keep-alive one may have died with the
                # network (the websocket reconnects the same way). A refused connect never ran.
                response = await self._http.request(method, path, json=json, timeout=timeout)
        except httpx.TimeoutException as exc:
            raise KernelUnavailable(
                f"The Jupyter Server at {self.url} did not answer {method} {path} in time."
            ) from exc
        except httpx.HTTPError as exc:
            raise KernelUnavailable(f"Cannot reach the Jupyter Server at {self.url}: {exc}") from exc
        if response.status_code == 403 and refused_ok:
            return None
        if response.status_code == 403 and _server_message(response) == "Resource Limit":
            raise ServerRefused(
                f"The Jupyter Server at {self.url} refused {method} {path}: HTTP 403 Resource Limit (a Kernel "
                "Gateway running as many kernels as its --KernelGatewayApp.max_kernels allows). Shut one down "
                "there or raise the limit.",
                403,
            )
        if response.status_code in (401, 403):
            raise KernelUnavailable(self._auth_failure(response.status_code))
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise ServerRefused(
                f"The Jupyter Server at {self.url} refused {method} {path}: HTTP {response.status_code} "
                f"{_server_message(response)}".rstrip(),
                response.status_code,
            )
        return response

    def _auth_failure(self, status: int) -> str:
        given = "the token given was not accepted" if self.token else "no token was given"
        return (
            f"The Jupyter Server at {self.url} refused the request (HTTP {status}): {given}. Pass the "
            "server's token with --token or the JUPYTER_TOKEN environment variable."
        )


def _server_message(response: httpx.Response) -> str:
    with contextlib.suppress(Exception):
        body = response.json()
        return str(body.get("message") or body.get("reason") or "")
    return ""


# --- wire format -------------------------------------------------------------------------------


def encode_v1(channel: str, msg: Mapping[str, Any]) -> bytes:
    """One message as a ``v1.kernel.websocket.jupyter.org`` binary frame.

    Layout (all integers 64-bit little-endian): the number of offsets, the offsets (from the start
    of the frame) of the channel name, header, parent header, metadata, content and each buffer, then
    an end offset; then those parts back to back. The server adds the HMAC signature itself.
    """
    parts = [
        json.dumps(msg.get(key) or {}, default=str).encode()
        for key in ("header", "parent_header", "metadata", "content")
    ]
    parts += [bytes(buf) for buf in msg.get("buffers") or []]
    chunks = [channel.encode(), *parts]
    count = len(chunks) + 1  # one offset per chunk plus the end offset
    offsets = [8 * (1 + count)]
    for chunk in chunks:
        offsets.append(offsets[-1] + len(chunk))
    head = b"".join(n.to_bytes(8, "little") for n in (count, *offsets))
    return head + b"".join(chunks)


def decode_v1(frame: bytes) -> tuple[str, dict[str, Any]]:
    count = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    chunks = [frame[offsets[i] : offsets[i + 1]] for i in range(count - 1)]
    channel = chunks[0].decode()
    header, parent, metadata, content = (json.loads(chunk or b"{}") for chunk in chunks[1:5])
    return channel, _message(header, parent, metadata, content, [bytes(b) for b in chunks[5:]])


def encode_legacy(channel: str, msg: Mapping[str, Any]) -> str:
    """The legacy protocol: the message as JSON text with a ``channel`` key (no buffers sent)."""
    body = {key: msg.get(key) or {} for key in ("header", "parent_header", "metadata", "content")}
    body["channel"] = channel
    body["buffers"] = []
    return json.dumps(body, default=str)


def decode_legacy(frame: str | bytes) -> tuple[str, dict[str, Any]]:
    if isinstance(frame, bytes):  # a message with buffers: offsets table (32-bit big-endian), JSON first
        count = int.from_bytes(frame[:4], "big")
        offsets = [int.from_bytes(frame[4 * (i + 1) : 4 * (i + 2)], "big") for i in range(count)]
        offsets.append(len(frame))
        body = json.loads(frame[offsets[0] : offsets[1]])
        buffers = [frame[offsets[i] : offsets[i + 1]] for i in range(1, count)]
    else:
        body = json.loads(frame)
        buffers = []
    channel = str(body.get("channel") or "shell")
    return channel, _message(
        body.get("header") or {}, body.get("parent_header") or {}, body.get("metadata") or {},
        body.get("content") or {}, buffers,
    )


def _message(
    header: dict[str, Any], parent: dict[str, Any], metadata: dict[str, Any], content: dict[str, Any],
    buffers: list[bytes],
) -> dict[str, Any]:
    return {
        "header": header,
        "parent_header": parent,
        "metadata": metadata,
        "content": content,
        "buffers": buffers,
        "msg_id": header.get("msg_id", ""),
        "msg_type": header.get("msg_type", ""),
    }


class MessageFactory:
    """Builds message dicts (``session.msg`` of jupyter_client); signing is the server's job."""

    def __init__(self, session: str) -> None:
        self.session = session

    def msg(
        self, msg_type: str, content: dict[str, Any] | None = None, parent: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "stata-live-mcp",
            "session": self.session,
            "date": datetime.now(timezone.utc).isoformat(),
            "version": PROTOCOL_VERSION,
        }
        parent_header = dict(parent.get("header") or {}) if parent else {}
        return _message(header, parent_header, {}, dict(content or {}), [])


# --- the websocket as a kernel client ----------------------------------------------------------


class _QueueChannel:
    """One Jupyter channel over the shared websocket: ``get_msg`` like jupyter_client's channels."""

    def __init__(self, name: str, client: WebsocketClient) -> None:
        self.name = name
        self._client = client
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        if timeout is None:
            return await self.queue.get()
        return await asyncio.wait_for(self.queue.get(), timeout)

    def send(self, msg: dict[str, Any]) -> None:
        self._client.send(self.name, msg)


class _Heartbeat:
    def __init__(self, client: WebsocketClient) -> None:
        self._client = client

    def is_beating(self) -> bool:
        return not self._client.gone


class _Waiter:
    """The reply (and optionally the idle status) of one of ``WebsocketClient``'s own requests."""

    def __init__(self, wait_idle: bool) -> None:
        self.reply: dict[str, Any] | None = None
        self.idle = not wait_idle
        self.done = asyncio.Event()

    def feed(self, channel: str, msg: dict[str, Any]) -> None:
        if channel in ("shell", "control") and msg["msg_type"].endswith("_reply"):
            self.reply = msg
        elif channel == "iopub" and msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
            self.idle = True
        if self.reply is not None and self.idle:
            self.done.set()


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
        self.iopub_channel = _QueueChannel("iopub", self)
        self.shell_channel = _QueueChannel("shell", self)
        self.control_channel = _QueueChannel("control", self)
        self.stdin_channel = _QueueChannel("stdin", self)
        self.hb_channel = _Heartbeat(self)
        self.protocol: str | None = None
        self.gone = False
        self.reconnects = 0
        self._on_gone = on_gone
        self._on_server_restart = on_server_restart
        self._conn: WebSocketClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._reconnector: asyncio.Task[None] | None = None
        self._backlog: list[tuple[str, dict[str, Any]]] = []
        self._waiters: dict[str, _Waiter] = {}
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
                raise KernelUnavailable(self.api._auth_failure(exc.code)) from exc
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
        waiter = _Waiter(wait_idle)
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
        parent = {"header": {"msg_id": msg_id}}
        self.iopub_channel.queue.put_nowait(self.session.msg("stream", {"name": "stderr", "text": text}, parent))

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
        evalue = f"Connection lost: {why}. {after}"
        parent = {"header": {"msg_id": msg_id}}
        self._open_runs.discard(msg_id)
        error = {"ename": "ConnectionLost", "evalue": evalue, "traceback": []}
        self.iopub_channel.queue.put_nowait(self.session.msg("error", error, parent))
        self.iopub_channel.queue.put_nowait(self.session.msg("status", {"execution_state": "idle"}, parent))
        self.shell_channel.queue.put_nowait(
            self.session.msg("execute_reply", {"status": "error", **error, "execution_count": None}, parent)
        )


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
