"""``stata_run_status``, ``stata_cancel``, ``stata_log_search``: follow, stop and search runs by id.

They work on any run the registry still keeps (the latest 50), foreground or background, so an agent
that started a background run, or lost a long foreground call, can follow it by ``run_id``.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field

from ..audit import audited
from ..kernel import KernelError
from ..runs import KEEP_RUNS, MAX_MATCHES, STATUS_CHARS, RunRecord, search_lines
from ..state import BridgeState
from .common import state_of

CANCEL_WAIT_S = 10.0
MAX_WAIT_S = 60.0
MAX_PATTERN_CHARS = 1_000

RunId = Annotated[str, Field(description="The run_id from a stata_run / stata_run_file result.")]
_READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


def register(server: MCPServer[Any]) -> None:
    server.add_tool(
        stata_run_status,
        description=(
            "State of a run (running, finished, failed, cancelled) and its output from character offset "
            f"`since` (at most {STATUS_CHARS:,} characters per call); pass the returned `next` as `since` "
            "to read on. With wait_s the call waits up to that long for new output or the end of the run "
            "instead of returning at once. Once the run has ended, `result` holds its structured result "
            "(ok, rc, error kind and line, results, ...), as stata_run would have returned it."
        ),
        annotations=_READ_ONLY,
    )
    server.add_tool(
        stata_cancel,
        description=(
            "Stop a run by id (a background run, or a foreground one from another request): Stata is "
            f"interrupted (--Break--) and the call returns once the break took effect (or after "
            f"{CANCEL_WAIT_S:g} s). The run ends in state 'cancelled'; the session stays usable. "
            "A run that already ended is left as it is."
        ),
        annotations=ToolAnnotations(destructive_hint=False, idempotent_hint=True, open_world_hint=False),
    )
    server.add_tool(
        stata_log_search,
        description=(
            "Search a run's full log (also the part left out of a long result) for a substring, or a "
            "Python regular expression with regex=true. Returns matching lines with 1-based line numbers "
            f"(at most max_matches, up to {MAX_MATCHES}) and the total count; read around a match in the "
            "resource stata://runs/{run_id}/log."
        ),
        annotations=_READ_ONLY,
    )


def _record(state: BridgeState, run_id: str) -> RunRecord:
    record = state.runs.get(run_id.strip())
    if record is None:
        raise ToolError(
            f"No run {run_id!r}: unknown, or dropped (only the latest {KEEP_RUNS} runs are kept). "
            "The resource stata://runs lists the runs kept."
        )
    return record


@audited("stata_run_status")
async def stata_run_status(
    run_id: RunId,
    ctx: Context[Any, Any],
    since: Annotated[int, Field(description="Character offset of the output already read (0 at first).")] = 0,
    wait_s: Annotated[
        float, Field(description=f"Wait up to this many seconds (at most {MAX_WAIT_S:g}) for news.")
    ] = 0.0,
) -> CallToolResult:
    record = _record(state_of(ctx), run_id)
    if since < 0:
        raise ToolError("since must be a character offset >= 0 (the `next` of the previous call).")
    if not 0 <= wait_s <= MAX_WAIT_S:
        raise ToolError(f"wait_s must be between 0 and {MAX_WAIT_S:g} seconds.")
    if wait_s and not record.finished and since >= len(record.text):
        with anyio.move_on_after(wait_s):
            await record.wait_for_change()
    state = record.state  # read before the output: output read after a finish is then complete
    output, next_offset = record.read(since)
    total = len(record.text)
    structured = {
        "run_id": record.run_id,
        "state": state,
        "output": output,
        "since": min(since, total),
        "next": next_offset,
        "more": next_offset < total,
        "chars": total,
        "result": record.result if state != "running" else None,
        "uri": record.uri,
    }
    more = " (more output: call again with since=next)" if structured["more"] else ""
    text = f"{output}\n[stata-live] run {record.run_id}: {state}; next={next_offset}{more}"
    if state != "running" and record.result is not None:
        error = record.result.get("error")
        if error:
            where = f" at line {error['line']}" if error.get("line") is not None else ""
            text += f"\n[stata-live] error {error['kind']}{where}: {error['message']}"
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


@audited("stata_cancel")
async def stata_cancel(run_id: RunId, ctx: Context[Any, Any]) -> CallToolResult:
    state = state_of(ctx)
    record = _record(state, run_id)
    if not record.finished:
        # The run's task interrupts Stata and waits for the break; without a scope (should not happen)
        # Stata is broken directly.
        if not state.runner.cancel(record) and state.runner.current is record:
            try:
                await state.kernel.interrupt()
            except KernelError as exc:
                raise ToolError(f"Could not interrupt: {exc}") from exc
        with anyio.move_on_after(CANCEL_WAIT_S):
            await record.done.wait()
    if not record.finished:
        text = (
            f"Interrupt sent, but the run {record.run_id} had not stopped after {CANCEL_WAIT_S:g} s; Stata "
            "breaks at its next break check. Call stata_cancel again or stata_restart."
        )
    else:
        text = f"The run {record.run_id} ({record.label!r}) is {record.state}."
    structured = {
        "run_id": record.run_id,
        "state": record.state,
        "stopped": record.finished,
        "result": record.result if record.finished else None,
    }
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


@audited("stata_log_search")
async def stata_log_search(
    run_id: RunId,
    pattern: Annotated[str, Field(description="Text to find (or a regular expression with regex=true).")],
    ctx: Context[Any, Any],
    regex: Annotated[bool, Field(description="Treat pattern as a Python regular expression.")] = False,
    ignore_case: bool = False,
    max_matches: Annotated[int, Field(description=f"Matches returned at most (1-{MAX_MATCHES}).")] = 50,
) -> CallToolResult:
    record = _record(state_of(ctx), run_id)
    if not pattern or len(pattern) > MAX_PATTERN_CHARS:
        raise ToolError(f"Give a pattern of 1 to {MAX_PATTERN_CHARS} characters.")
    if not 1 <= max_matches <= MAX_MATCHES:
        raise ToolError(f"max_matches must be between 1 and {MAX_MATCHES}.")
    flags = re.IGNORECASE if ignore_case else 0
    try:
        compiled = re.compile(pattern if regex else re.escape(pattern), flags)
    except re.error as exc:
        raise ToolError(f"Not a valid regular expression: {exc}") from exc
    text = record.text
    # A worker thread: a long log or a slow pattern must not stall other calls' streaming.
    matches, total = await anyio.to_thread.run_sync(functools.partial(search_lines, text, compiled, max_matches))
    structured = {
        "run_id": record.run_id,
        "state": record.state,
        "matches": matches,
        "total": total,
        "truncated": total > len(matches),
        "uri": record.uri,
    }
    lines = [f"{m['line']}: {m['text']}" for m in matches]
    summary = f"{total} matching line{'s' if total != 1 else ''} in the log of run {record.run_id}"
    if total > len(matches):
        summary += f" (first {len(matches)} shown)"
    text_out = "\n".join([summary + ":", *lines]) if lines else f"No line matches in the log of run {record.run_id}."
    return CallToolResult(content=[TextContent(type="text", text=text_out)], structured_content=structured)
