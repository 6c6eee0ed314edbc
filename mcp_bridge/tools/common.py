"""Helpers every tool module uses: reaching the shared state from a request context."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from .. import _compat
from ..kernel import KernelConnection, KernelUnavailable
from ..refusals import Refused
from ..state import BridgeState


def state_of(ctx: Context[Any, Any]) -> BridgeState:
    """The bridge state of the request's MCP session (its own kernel with --kernel-per-session)."""
    state = ctx.request_context.lifespan_context
    assert isinstance(state, BridgeState), "the server was built without its bridge state"
    if state.pool is None:
        return state
    return state.for_session(_session_key(ctx))


def _session_key(ctx: Context[Any, Any]) -> object:
    """What identifies one MCP session: its connection (stateful protocol) or nothing (2026-07-28).

    The SDK makes a session object per request; the per-connection object is only reachable through
    a private attribute, so fall back to a shared key if that ever changes.
    """
    connection = _compat.connection_of(ctx.request_context.session)
    if connection is None or getattr(connection, "protocol_version", None) in MODERN_PROTOCOL_VERSIONS:
        return "sessionless"
    return connection


async def ready_kernel(state: BridgeState) -> KernelConnection | Refused:
    """The started kernel, or the refusal saying why there is none (``unavailable``)."""
    try:
        return await state.ready_kernel()
    except KernelUnavailable as exc:
        return Refused.unavailable(str(exc))


async def kernel_for_tool(state: BridgeState) -> KernelConnection:
    """The started kernel for tools without a run result: no kernel is their ``ToolError``."""
    kernel = await ready_kernel(state)
    if isinstance(kernel, Refused):
        raise ToolError(kernel.message)
    return kernel
