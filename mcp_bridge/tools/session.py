"""``stata_interrupt`` and ``stata_restart``: control the session, usable while a run is in progress."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations

from ..audit import audited
from ..kernel import KernelError
from .common import kernel_for_tool, state_of

BREAK_WAIT_S = 10.0


def register(server: MCPServer[Any]) -> None:
    server.add_tool(
        stata_interrupt,
        description=(
            "Interrupt the Stata command that is running (like pressing Break): the running stata_run "
            "call ends with --Break-- r(1) and the session stays usable. Works while a run is in "
            "progress, from a separate request. Returns once the break took effect (or after "
            f"{BREAK_WAIT_S:g} s). Does nothing when nothing is running."
        ),
        annotations=ToolAnnotations(destructive_hint=False, idempotent_hint=True, open_world_hint=False),
    )
    server.add_tool(
        stata_restart,
        description=(
            "Restart Stata (a fresh kernel): clears data in memory, stored results and macros. A run in "
            "progress ends with an error saying so. Only for kernels this bridge started itself."
        ),
        annotations=ToolAnnotations(destructive_hint=True, open_world_hint=False),
    )


@audited("stata_interrupt")
async def stata_interrupt(ctx: Context[Any, Any]) -> str:
    state = state_of(ctx)
    kernel = await kernel_for_tool(state)
    record = state.runner.current
    if record is None and not kernel.busy:
        return "Nothing is running; no interrupt was sent."
    try:
        await kernel.interrupt()
    except KernelError as exc:
        raise ToolError(f"Could not interrupt: {exc}") from exc
    if record is None:
        return "Interrupt sent to the kernel (it was busy with a request from another client)."
    with anyio.move_on_after(BREAK_WAIT_S):
        await record.done.wait()
        return f"Interrupted: the run {record.run_id} ({record.label!r}) stopped with --Break--."
    return (
        f"Interrupt sent, but the run {record.run_id} had not stopped after {BREAK_WAIT_S:g} s; "
        "Stata breaks at its next break check. Call stata_interrupt again or stata_restart."
    )


@audited("stata_restart")
async def stata_restart(ctx: Context[Any, Any]) -> str:
    state = state_of(ctx)
    kernel = await kernel_for_tool(state)
    try:
        await kernel.restart()
    except KernelError as exc:
        raise ToolError(str(exc)) from exc
    return "Stata was restarted: a fresh session with no data in memory, no stored results and no macros."
