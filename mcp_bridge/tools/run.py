"""``stata_run`` and ``stata_run_file``: run code, streaming every output chunk as it appears."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field

from ..audit import audited
from ..background import BackgroundHost
from ..policy import TOOL_NOTE, Policy, Refusal, do_file_path_refusal, refusal_for
from ..refusals import Refused
from ..results import DEFAULT_MAX_CELLS, RUN_SCHEMA
from ..state import BridgeState
from .common import state_of
from .execute import run_and_report, start_background
from .validate import check_cells, check_code, check_do_file, check_timeout, read_do_file

_STREAMING = (
    "Output streams while Stata runs: send a progressToken and every output chunk arrives as a "
    "notifications/progress message; without one, a client that set a log level of info or below gets "
    "the chunks as notifications/message (logger 'stata'). Heartbeats mark long silences. "
)
_RESULT = (
    "The result text is Stata's output; long output keeps its head and tail around a marker naming "
    "the resource stata://runs/{run_id}/log that holds the full log (stata_log_search searches it). "
    "Graphs made by the run come back as PNG images. A Stata error gives isError=true with the message "
    "and its return code r(N). Structured content (every result, errors included): ok, rc (null when "
    "Stata never ran), error {kind, message, command, line}, results {r, e}, dataset, graphs, warnings "
    "(e.g. errors swallowed by capture noisily), log {head, tail, truncated, uri}, run_id. "
    "With timeout_s, or when the request is cancelled, Stata is interrupted (--Break--, r(1)) and the "
    "session stays usable. One run per Stata session: a foreground call made while another foreground "
    "run is going waits for it; any call made while a background run is going is refused at once "
    "(session_busy). Stata's state (data in memory, stored results, macros) persists between calls."
)

RUN_DESCRIPTION = (
    "Run Stata code (one or many lines, as in a do-file) in the persistent Stata session. "
    + _STREAMING
    + _RESULT
    + TOOL_NOTE
)
RUN_FILE_DESCRIPTION = (
    "Run a do-file in the persistent Stata session. The path is resolved on the machine running this "
    "bridge, relative to its working directory; the bridge reads the file and runs its commands (so it "
    "also works when Stata runs elsewhere). Paths inside the do-file are relative to Stata's working "
    "directory (see `pwd`). " + _STREAMING + _RESULT + TOOL_NOTE
)

Background = Annotated[
    bool,
    Field(
        description="Start the run and return its run_id at once (state 'running'); poll "
        "stata_run_status(run_id, since) for output and the final result, stop it with stata_cancel."
    ),
]
MaxCells = Annotated[
    int | None,
    Field(
        description="Stored-result matrices with more cells than this are left out of `results` "
        "(stata_results returns them whole); null for no limit."
    ),
]

Timeout = Annotated[
    float | None,
    Field(
        description="Seconds of running time after which Stata is interrupted (break); time spent "
        "waiting for another run to finish does not count. Omit for no limit."
    ),
]


def tools() -> list[Tool]:
    """The run tools, with the structured result schema they publish (see ``mcp_bridge.results``).

    Built as ``Tool`` objects because MCPServer derives output schemas from return annotations only;
    the hand-written ``RUN_SCHEMA`` is set on the tool's metadata (published, not re-validated
    server-side: the result builder is the one place that fills it).
    """
    annotations = ToolAnnotations(destructive_hint=True, open_world_hint=False)
    built = [
        Tool.from_function(stata_run, description=RUN_DESCRIPTION, annotations=annotations),
        Tool.from_function(stata_run_file, description=RUN_FILE_DESCRIPTION, annotations=annotations),
    ]
    for tool in built:
        tool.fn_metadata.output_schema = RUN_SCHEMA
    return built


@audited("stata_run")
async def stata_run(
    code: Annotated[str, Field(description="Stata code, e.g. 'sysuse auto, clear\\nregress price mpg'.")],
    ctx: Context[Any, Any],
    timeout_s: Timeout = None,
    background: Background = False,
    max_result_cells: MaxCells = DEFAULT_MAX_CELLS,
) -> CallToolResult:
    state = state_of(ctx)
    first_line = next((line.strip() for line in code.splitlines() if line.strip()), "")
    refused = (
        check_code(code, state.config.max_code_bytes)
        or check_timeout(timeout_s)
        or check_cells(max_result_cells)
        or _policy(await refusal_for(Policy.from_config(state.config), code))
    )
    if refused is not None:
        return refused.result()
    return await _dispatch(state, ctx, code, first_line[:80], timeout_s, background, max_result_cells)


@audited("stata_run_file")
async def stata_run_file(
    path: Annotated[str, Field(description="Path of the do-file, e.g. 'analysis/main.do'.")],
    ctx: Context[Any, Any],
    timeout_s: Timeout = None,
    background: Background = False,
    max_result_cells: MaxCells = DEFAULT_MAX_CELLS,
) -> CallToolResult:
    state = state_of(ctx)
    policy = Policy.from_config(state.config)
    refused = check_timeout(timeout_s) or check_cells(max_result_cells) or _policy(do_file_path_refusal(policy, path))
    if refused is not None:
        return refused.result()
    resolved = check_do_file(path)
    if isinstance(resolved, Refused):
        return resolved.result()
    code = read_do_file(resolved)
    if isinstance(code, Refused):
        return code.result()
    refused = check_code(code, state.config.max_code_bytes, source=f"The do-file {resolved}") or _policy(
        await refusal_for(policy, code, source=str(resolved))
    )
    if refused is not None:
        return refused.result()
    return await _dispatch(state, ctx, code, f"do {resolved}", timeout_s, background, max_result_cells)


async def _dispatch(
    state: BridgeState,
    ctx: Context[Any, Any],
    code: str,
    label: str,
    timeout_s: float | None,
    background: bool,
    max_cells: int | None,
) -> CallToolResult:
    """Policy and validation passed: run in the foreground (streaming) or start a background run."""
    if background:
        return await start_background(state, _host(ctx), code, label=label, timeout_s=timeout_s, max_cells=max_cells)
    return await run_and_report(state, ctx, code, label=label, timeout_s=timeout_s, fetch_results=True,
                                max_cells=max_cells)


def _host(ctx: Context[Any, Any]) -> BackgroundHost:
    """The background host the server's lifespan runs: the lifespan state's, also when the session's
    runs go to a state of their own (per-session kernels), whose registry has no lifespan of its own."""
    lifespan_state = ctx.request_context.lifespan_context
    return lifespan_state.runner.host if isinstance(lifespan_state, BridgeState) else state_of(ctx).runner.host


def _policy(refusal: Refusal | None) -> Refused | None:
    """A policy refusal as the call's refusal (``policy_blocked``, naming the command and its line)."""
    return Refused(refusal.to_error()) if refusal is not None else None
