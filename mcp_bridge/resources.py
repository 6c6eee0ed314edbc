"""The run log resource: every run's full output, readable in pages."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError

from .runs import KEEP_RUNS, PAGE_CHARS
from .tools.common import state_of


def register(server: MCPServer[Any]) -> None:
    @server.resource(
        "stata://runs{?limit}",
        name="runs",
        title="Recent Stata runs",
        description=(
            "The latest runs, newest first, one per line: run_id, outcome (running, ok, error, break, "
            "timeout, cancelled, kernel error), characters of output, label. Optional ?limit=N."
        ),
        mime_type="text/plain",
    )
    async def recent_runs(ctx: Context[Any, Any], limit: int = KEEP_RUNS) -> str:
        records = state_of(ctx).runs.recent()[: max(limit, 0)]
        if not records:
            return "No runs yet."
        return "\n".join(f"{r.run_id}\t{r.outcome}\t{len(r.text)}\t{r.label}" for r in records)

    @server.resource(
        "stata://runs/{run_id}/log{?page}",
        name="run-log",
        title="Full output of a Stata run",
        description=(
            f"Everything Stata printed during one run (run_id from a tool result), in pages of "
            f"{PAGE_CHARS:,} characters. Read stata://runs/RUN_ID/log for page 1, then "
            "stata://runs/RUN_ID/log?page=2 and so on; a page that has a successor ends with a line "
            "naming the next page's URI. stata_log_search finds lines by pattern; stata_run_status reads "
            f"a run in progress from a character offset. The latest {KEEP_RUNS} runs are kept (a run in "
            "progress always)."
        ),
        mime_type="text/plain",
    )
    async def run_log(run_id: str, ctx: Context[Any, Any], page: int = 1) -> str:
        record = state_of(ctx).runs.get(run_id)
        if record is None:
            raise ResourceNotFoundError(f"No run {run_id!r} (only the latest {KEEP_RUNS} runs are kept).")
        try:
            return record.page(page)
        except IndexError as exc:
            raise ResourceNotFoundError(str(exc)) from exc
