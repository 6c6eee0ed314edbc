"""HTTP transports: the SDK's Streamable HTTP (``/mcp``) or legacy SSE (``/sse``) app, wrapped in
bearer-token auth and a no-buffering header, served by uvicorn.

The SDK's apps stream each event as it is written (SSE responses, never JSON-response mode);
``X-Accel-Buffering: no`` asks reverse proxies such as nginx not to hold them back.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import socket
import sys
from typing import Any

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE, TransportSecuritySettings
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import BridgeConfig, is_loopback
from .event_store import BoundedEventStore, SessionTagging

log = logging.getLogger(__name__)


class BearerAuth:
    """Requires ``Authorization: Bearer <token>`` on every HTTP request (constant-time compare)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            supplied = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(supplied, self._expected):
                body = json.dumps({"error": "unauthorized", "error_description":
                                   "send 'Authorization: Bearer <token>' (--auth-token)"}).encode()
                await send({"type": "http.response.start", "status": 401, "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Bearer realm="stata-live-mcp"'),
                    (b"content-length", str(len(body)).encode()),
                ]})
                await send({"type": "http.response.body", "body": body})
                return
        await self._app(scope, receive, send)


class NoBuffering:
    """Adds ``X-Accel-Buffering: no`` and ``Cache-Control: no-cache`` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-accel-buffering"]
                headers.append((b"x-accel-buffering", b"no"))
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-cache"))
                message = {**message, "headers": headers}
            await send(message)

        await self._app(scope, receive, send_with_header)


def build_http_app(server: MCPServer[Any], config: BridgeConfig) -> ASGIApp:
    body_limit = max(DEFAULT_MAX_REQUEST_BODY_SIZE, 2 * config.max_code_bytes + 65536)
    security = _rebinding_protection(config.host)
    if config.transport == "sse":
        app: ASGIApp = server.sse_app(
            host=config.host, max_request_body_size=body_limit, transport_security=security
        )
    else:
        # The event store lets a client that lost its stream mid-run resume it (Last-Event-ID).
        app = SessionTagging(server.streamable_http_app(
            host=config.host, json_response=False, max_request_body_size=body_limit,
            event_store=BoundedEventStore(max_bytes=config.event_store_bytes), transport_security=security,
        ))
    app = NoBuffering(app)
    if config.auth_token:
        app = BearerAuth(app, config.auth_token)
    return app


def _rebinding_protection(host: str) -> TransportSecuritySettings | None:
    """Host/Origin (DNS rebinding) checks for every loopback bind, which needs no token.

    The SDK turns them on only for the literal 127.0.0.1, localhost and ::1; 127.0.0.2 is loopback too.
    Other binds require the bearer token, which a rebinding page cannot know.
    """
    if not is_loopback(host):
        return None
    bare = host.strip("[]")
    named = f"[{bare}]" if ":" in bare else bare
    hosts = ["127.0.0.1", "localhost", "[::1]", named]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{h}:*" for h in hosts],
        allowed_origins=[f"http://{h}:*" for h in hosts],
    )


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling (``__main__`` owns signals and shuts down cleanly)."""

    def __init__(self, config: uvicorn.Config, path: str) -> None:
        super().__init__(config)
        self._path = path

    def capture_signals(self) -> Any:  # type: ignore[override]
        return contextlib.nullcontext()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        for server in self.servers:
            for sock in server.sockets:
                host, port = sock.getsockname()[:2]
                host = f"[{host}]" if ":" in host else host
                # A fixed, parseable line on stderr: tests and scripts learn the port from it (--port 0).
                url = f"http://{host}:{port}{self._path}"
                print(f"stata-live-mcp listening on {url}", file=sys.stderr, flush=True)


def make_uvicorn(app: ASGIApp, config: BridgeConfig) -> uvicorn.Server:
    uv_config = uvicorn.Config(
        app,
        host=config.host,
        port=config.port,
        log_config=None,  # our stderr logging, never uvicorn's stdout access log
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
        log_level=config.log_level.lower(),
    )
    return _Server(uv_config, "/sse" if config.transport == "sse" else "/mcp")
