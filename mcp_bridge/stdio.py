"""The stdio transport, answering malformed input instead of dropping it.

The SDK's stdio transport turns a line that is not a valid JSON-RPC message into an exception on the
read stream, and the server only logs it: the client never hears back, and waits forever for a request
whose id it sent. This screens the read stream and answers such lines with a JSON-RPC error (-32700 parse
error, -32600 invalid request, -32602 invalid params), as the Streamable HTTP transport does with a 400.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.memory import create_context_streams
from mcp.shared.message import SessionMessage
from mcp_types import INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError

from . import _compat
from .stdio_pipes import pipe_stdio

if TYPE_CHECKING:
    from anyio import AsyncFile

log = logging.getLogger(__name__)


async def run_stdio(server: MCPServer[Any]) -> None:
    """Serve one client over stdin/stdout until stdin closes."""
    lowlevel = _compat.lowlevel_server(server)  # the SDK has no public way to serve on streams of our own
    # stdin/stdout are duck-typed files (``stdio_pipes``: the methods stdio_server calls), or None for the SDK's own.
    async with pipe_stdio() as (stdin, stdout), \
            stdio_server(cast("AsyncFile[str] | None", stdin), cast("AsyncFile[str] | None", stdout)) as streams:
        read_stream, write_stream = streams
        screened_send, screened_receive = create_context_streams[SessionMessage | Exception](0)
        async with anyio.create_task_group() as tg:

            async def screen() -> None:
                async with screened_send:
                    async for item in read_stream:
                        if isinstance(item, Exception):
                            log.warning("malformed message on stdin: %s", str(item).splitlines()[0])
                            await write_stream.send(SessionMessage(error_for(item)))
                        else:
                            await screened_send.send(item)

            tg.start_soon(screen)
            await lowlevel.run(screened_receive, write_stream, lowlevel.create_initialization_options())
            tg.cancel_scope.cancel()


def error_for(exc: Exception) -> JSONRPCError:
    """The JSON-RPC error answering a line the transport could not read as a message."""
    errors: list[dict[str, Any]] = []
    errors_of = getattr(exc, "errors", None)
    if callable(errors_of):
        try:
            errors = list(errors_of())
        except Exception:
            errors = []
    if not errors or any(e.get("type") == "json_invalid" for e in errors):
        return _error(None, PARSE_ERROR, "Parse error: the line is not valid JSON (nothing was run)")
    message = next((e["input"] for e in errors if isinstance(e.get("input"), dict)), None)
    request_id = message.get("id") if isinstance(message, dict) else None
    if not isinstance(request_id, (str, int)) or isinstance(request_id, bool):
        request_id = None
    if isinstance(message, dict) and "method" in message and request_id is not None and any(
        tuple(e.get("loc", ()))[:2] == ("JSONRPCRequest", "params") for e in errors
    ):
        return _error(request_id, INVALID_PARAMS, "Invalid params: 'params' must be an object (nothing was run)")
    return _error(request_id, INVALID_REQUEST,
                  "Invalid request: not a JSON-RPC 2.0 request, notification or response (nothing was run)")


def _error(request_id: str | int | None, code: int, message: str) -> JSONRPCError:
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message))
