"""``stata_run`` and ``stata_run_file``: run code, streaming every output chunk as it appears."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field

from ..audit import audited
from ..policy import TOOL_NOTE, Policy, check_do_file_path, enforce
from .common import state_of
from .execute import run_and_report
from .validate import check_code, check_do_file, check_timeout, read_do_file

_STREAMING = (
    "Output streams while Stata runs: send a progressToken and every output chunk arrives as a "
    "notifications/progress message (heartbeats mark long silences). "
)
_RESULT = (
    "The result text is Stata's output; long output keeps its head and tail around a marker naming "
    "the resource stata://runs/{run_id}/log that holds the full log. Graphs made by the run come back "
    "as PNG images. A Stata error gives isError=true with the message and its return code r(N). "
    "With timeout_s, or when the request is cancelled, Stata is interrupted (--Break--, r(1)) and the "
    "session stays usable. Runs on one session are serialised: a call made while another runs waits "
    "for it. Stata's state (data in memory, stored results, macros) persists between calls."
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

Timeout = Annotated[
    float | None,
    Field(
        description="Seconds of running time after which Stata is interrupted (break); time spent "
        "waiting for another run to finish does not count. Omit for no limit."
    ),
]


def register(server: MCPServer[Any]) -> None:
    annotations = ToolAnnotations(destructive_hint=True, open_world_hint=False)
    server.add_tool(stata_run, description=RUN_DESCRIPTION, annotations=annotations)
    server.add_tool(stata_run_file, description=RUN_FILE_DESCRIPTION, annotations=annotations)


@audited("stata_run")
async def stata_run(
    code: Annotated[str, Field(description="Stata code, e.g. 'sysuse auto, clear\\nregress price mpg'.")],
    ctx: Context[Any, Any],
    timeout_s: Timeout = None,
) -> CallToolResult:
    state = state_of(ctx)
    check_code(code, state.config.max_code_bytes)
    check_timeout(timeout_s)
    await enforce(Policy.from_config(state.config), code)
    first_line = next((line.strip() for line in code.splitlines() if line.strip()), "")
    return await run_and_report(state, ctx, code, label=first_line[:80], timeout_s=timeout_s)


@audited("stata_run_file")
async def stata_run_file(
    path: Annotated[str, Field(description="Path of the do-file, e.g. 'analysis/main.do'.")],
    ctx: Context[Any, Any],
    timeout_s: Timeout = None,
) -> CallToolResult:
    state = state_of(ctx)
    check_timeout(timeout_s)
    policy = Policy.from_config(state.config)
    check_do_file_path(policy, path)
    resolved = check_do_file(path)
    code = read_do_file(resolved)
    check_code(code, state.config.max_code_bytes, source=f"The do-file {resolved}")
    await enforce(policy, code, source=str(resolved))
    return await run_and_report(state, ctx, code, label=f"do {resolved}", timeout_s=timeout_s)
