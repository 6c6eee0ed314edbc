"""``stata_results``, ``stata_describe``, ``stata_help``: what an agent asks about the session."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field

from ..audit import audited
from ..refusals import Refused
from .common import state_of
from .execute import evaluate, run_and_report
from .streams import channels_for
from .validate import check_topic

_READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


def register(server: MCPServer[Any]) -> None:
    server.add_tool(
        stata_results,
        description=(
            "Stored results of the last command as structured JSON: kind 'r' for r() (e.g. after "
            "summarize: N, mean, sd...) or 'e' for e() (after an estimation command: N, r2, F, ...). "
            "Keys are result names without the r()/e() wrapper; missing values are null. Waits for a "
            "run in progress to finish."
        ),
        annotations=_READ_ONLY,
    )
    server.add_tool(
        stata_describe,
        description=(
            "Describe the data in memory: number of observations and variables, and for each variable "
            "its name, storage type, display format and label. Waits for a run in progress to finish."
        ),
        annotations=_READ_ONLY,
    )
    server.add_tool(
        stata_help,
        description="Stata's help text for a command or topic (e.g. 'regress', 'graph twoway').",
        annotations=_READ_ONLY,
    )


@audited("stata_results")
async def stata_results(
    kind: Annotated[Literal["r", "e"], Field(description="'r' for r() results, 'e' for e() results.")],
    ctx: Context[Any, Any],
) -> CallToolResult:
    value = await _expression(ctx, f"{kind}()")
    if not isinstance(value, dict):
        raise ToolError(f"The kernel returned an unexpected value for {kind}(): {value!r}")
    text = json.dumps(value, indent=1) if value else f"No {kind}() results are stored."
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content={"kind": kind, "results": value},
    )


@audited("stata_describe")
async def stata_describe(ctx: Context[Any, Any]) -> CallToolResult:
    value = await _expression(ctx, "describe()")
    if not isinstance(value, dict):
        raise ToolError(f"The kernel returned an unexpected description: {value!r}")
    text = _describe_text(value)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=value)


@audited("stata_help")
async def stata_help(
    topic: Annotated[str, Field(description="Command or topic, e.g. 'regress'.")],
    ctx: Context[Any, Any],
) -> CallToolResult:
    checked = check_topic(topic)
    if isinstance(checked, Refused):
        return checked.result()
    return await run_and_report(state_of(ctx), ctx, f"help {checked}", label=f"help {checked}")


async def _expression(ctx: Context[Any, Any], expression: str) -> Any:
    state = state_of(ctx)
    execution = await evaluate(state, {"value": expression}, channels_for(ctx, state.config.stream_via))
    if "value" in execution.expression_errors:
        raise ToolError(f"Could not evaluate {expression}: {execution.expression_errors['value']}")
    if "value" not in execution.user_expressions:
        raise ToolError(f"The kernel did not answer {expression} (status {execution.status}).")
    return execution.user_expressions["value"]


def _describe_text(info: dict[str, Any]) -> str:
    lines = [f"Observations: {info.get('n_obs', '?')}", f"Variables: {info.get('n_vars', '?')}"]
    variables = info.get("variables") or []
    if variables:
        width = max(len(str(v.get("name", ""))) for v in variables)
        lines.append("")
        for var in variables:
            lines.append(
                f"{var.get('name', ''):<{width}}  {var.get('type', ''):<8} {var.get('format', ''):<10} "
                f"{var.get('label') or ''}".rstrip()
            )
    return "\n".join(lines)
