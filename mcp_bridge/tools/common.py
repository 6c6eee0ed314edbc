"""Helpers every tool module uses: reaching the shared state from a request context."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from ..kernel import KernelConnection, KernelUnavailable
from ..state import BridgeState


def state_of(ctx: Context[Any, Any]) -> BridgeState:
    """The bridge state the server's lifespan put in every request context."""
    state = ctx.request_context.lifespan_context
    assert isinstance(state, BridgeState), "the server was built without its bridge state"
    return state


async def ready_kernel(state: BridgeState) -> KernelConnection:
    """The started kernel, or a tool error saying why there is none."""
    try:
        return await state.ready_kernel()
    except KernelUnavailable as exc:
        raise ToolError(str(exc)) from exc
