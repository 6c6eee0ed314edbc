"""Which notifications carry a call's output: progress, log messages, or both (``--stream-via``).

Progress needs a ``progressToken`` on the request, which the official SDK clients send only when
their caller asks for progress. Clients that never do can still watch output as log messages
(``notifications/message``, logger ``stata``, level ``info``) if they opted in to logging:

- handshake-era connections (protocol ≤ 2025-11-25): ``logging/setLevel``. The level is kept per
  connection; the SDK leaves that filtering to the server (``allowed_log_levels`` admits every
  level on these versions).
- 2026-07-28 connections: the request's ``_meta`` carries ``io.modelcontextprotocol/logLevel``.
  Logging is deprecated there (SEP-2577) and ``logging/setLevel`` is gone, but the SDK still
  delivers log messages on the request's own stream for requests that opt in.

Either way a log message goes out only if the client's level admits ``info``. Each one names the
request it belongs to (related request id), so over Streamable HTTP it travels on that request's
response stream, before the result, like progress.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from mcp.server.connection import allowed_log_levels
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.jsonrpc_dispatcher import progress_token_from_params
from mcp_types import (
    EmptyResult,
    LoggingLevel,
    LoggingMessageNotification,
    LoggingMessageNotificationParams,
    SetLevelRequestParams,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from .. import _compat
from ..config import StreamVia
from ..relay import ReportProgress, SendLog

log = logging.getLogger(__name__)

LOGGER = "stata"
LEVEL: LoggingLevel = "info"
# RFC 5424 severities, least severe first (the order the MCP spec gives them).
SEVERITY: tuple[LoggingLevel, ...] = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
# Where a handshake-era connection's logging/setLevel is kept (the connection's scratch state).
_LEVEL_KEY = "stata-live/log-level"


@dataclass(frozen=True)
class Channels:
    """The senders one call streams to (None: that kind of notification is not sent)."""

    progress: ReportProgress | None
    log: SendLog | None


def channels_for(ctx: Context[Any, Any], stream_via: StreamVia) -> Channels:
    """Pick the notifications for this request according to ``--stream-via``.

    ``progress``: progress only (a no-op without a token, as it always was). ``log``: log messages
    only, unless the client refused them (a level above ``info``, or no opt-in on 2026-07-28).
    ``both``: each of those. ``auto``: progress when the request has a token, else log messages
    when the client explicitly asked for ``info`` or below.
    """
    request = ctx.request_context
    progress = ctx.report_progress if stream_via != "log" else None
    if stream_via == "progress":
        wants_log = False
    elif stream_via == "auto":
        wants_log = progress_token_from_params(request.params) is None and admits_info(request) is True
    else:
        wants_log = admits_info(request) is not False
    return Channels(progress, _log_sender(request) if wants_log else None)


def admits_info(request: ServerRequestContext[Any, Any]) -> bool | None:
    """Whether the client's log level admits ``info`` messages for this request; None: it never said.

    On 2026-07-28 the SDK's own per-request gate answers (an absent opt-in means "send nothing",
    the spec's MUST NOT, so never None); on earlier versions the level set by ``logging/setLevel``.
    """
    if request.protocol_version in MODERN_PROTOCOL_VERSIONS:
        return LEVEL in allowed_log_levels(request.protocol_version, request.meta)
    scratch = _connection_state(request)
    level = scratch.get(_LEVEL_KEY) if scratch is not None else None
    if level not in SEVERITY:
        return None
    return SEVERITY.index(level) <= SEVERITY.index(LEVEL)


def _log_sender(request: ServerRequestContext[Any, Any]) -> SendLog:
    """Send log messages tied to ``request``, while the client's level still admits ``info``.

    A handshake-era client may raise its level (``logging/setLevel``) while a run streams; the level
    is read again before each message so that takes effect at once, not at the next call. (On
    2026-07-28 the level is the request's own and cannot change.)
    """
    session = request.session
    request_id = request.request_id
    handshake_era = request.protocol_version not in MODERN_PROTOCOL_VERSIONS

    async def send(text: str) -> None:
        if handshake_era and admits_info(request) is False:
            return
        # Sent as a plain notification: ``send_log_message`` would raise a deprecation warning per
        # chunk; the gate it applies on 2026-07-28 is the one ``admits_info`` applied when the call began.
        notification = LoggingMessageNotification(
            params=LoggingMessageNotificationParams(level=LEVEL, logger=LOGGER, data=text)
        )
        await session.send_notification(notification, related_request_id=request_id)

    return send


def register_log_level(server: MCPServer[Any]) -> None:
    """Serve ``logging/setLevel`` (handshake-era clients), which also advertises ``logging``.

    MCPServer has no setting for it and the SDK's ``MethodBinding`` refuses spec methods, so the
    handler goes on the low-level server, as the SDK's docs advise for re-provided methods.
    """

    async def set_level(ctx: ServerRequestContext[Any, Any], params: SetLevelRequestParams) -> EmptyResult:
        scratch = _connection_state(ctx)
        if scratch is None:
            log.warning("logging/setLevel: the connection's state is out of reach; level %s not kept", params.level)
        else:
            scratch[_LEVEL_KEY] = params.level
        return EmptyResult()

    _compat.lowlevel_server(server).add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)


def _connection_state(request: ServerRequestContext[Any, Any]) -> dict[str, Any] | None:
    """The connection's per-connection scratch dict (``Connection.state``), kept across requests.

    The SDK hands handlers a per-request session; its connection is a private attribute (as in
    ``common._session_key``), so a change there degrades to "level never set", not to a crash.
    """
    connection = _compat.connection_of(request.session)
    state = getattr(connection, "state", None)
    return state if isinstance(state, dict) else None
