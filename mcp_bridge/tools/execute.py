"""Running code for a tool call: serialise, stream, keep the log, and shape the result.

Every run-like tool (``stata_run``, ``stata_run_file``, ``stata_help``) goes through
``run_and_report`` so they all stream the same way and answer in the same shape.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, ImageContent, TextContent

from ..kernel import DisplayItem, Execution, KernelError, KernelEvent, OutputText
from ..relay import HEARTBEAT_PREFIX, ProgressRelay, ReportProgress
from ..runs import RunRecord
from ..state import BridgeState
from .common import ready_kernel

log = logging.getLogger(__name__)

_UNAVAILABLE = frozenset({"StataNotFound", "StataInitError", "StataUnavailable"})
# Images are the bulk of a result; clients cap one message (the Python SDK's SSE reader at 1 MiB).
MAX_IMAGE_BYTES = 700_000


async def run_and_report(
    state: BridgeState,
    ctx: Context[Any, Any],
    code: str,
    *,
    label: str,
    timeout_s: float | None = None,
) -> CallToolResult:
    """Run ``code`` on the shared kernel, streaming its output as progress, and build the result."""
    execution: Execution | None = None
    problem: str | None = None
    outcome = "cancelled"
    async with ProgressRelay(ctx.report_progress, state.config.heartbeat_s) as relay:
        relay.waiting("the Stata kernel to start")
        kernel = await ready_kernel(state)
        record = state.runs.new(label)

        def sink(event: KernelEvent) -> None:
            if isinstance(event, OutputText):
                record.append(event.text)
            relay.on_event(event)

        relay.waiting("another Stata run on this session to finish")
        try:
            async with state.run_lock:
                relay.waiting(None)
                state.current = record
                try:
                    execution = await kernel.execute(code, sink, timeout=timeout_s)
                    outcome = _outcome(execution)
                except KernelError as exc:
                    problem = str(exc)
                    outcome = "kernel error"
                except anyio.get_cancelled_exc_class():
                    record.append(f"\n{HEARTBEAT_PREFIX} The request was cancelled; Stata was interrupted.\n")
                    raise
                finally:
                    state.current = None
        finally:
            record.finish(outcome)  # also when cancelled while waiting for the lock
    return build_result(record, execution, problem, timeout_s)


def _outcome(execution: Execution) -> str:
    if execution.timed_out:
        return "timeout"
    if execution.failure is not None:
        return "break" if execution.failure.is_break else "error"
    return "ok" if execution.status == "ok" else "error"


def build_result(
    record: RunRecord,
    execution: Execution | None,
    problem: str | None,
    timeout_s: float | None,
) -> CallToolResult:
    text, truncated = record.excerpt()
    notes: list[str] = []
    rc: int | None = None
    error: dict[str, Any] | None = None
    if problem is not None:
        notes.append(problem)
        error = {"kind": "kernel", "message": problem}
    elif execution is not None:
        failure = execution.failure
        if execution.timed_out:
            rc = 1
            notes.append(
                f"The run passed its time limit (timeout_s={timeout_s:g}) and was interrupted "
                "(--Break--, r(1)). The Stata session is still usable; data in memory may reflect a "
                "partly run script."
            )
            error = {"kind": "timeout", "message": "time limit reached; run interrupted"}
        elif failure is not None and failure.ename in _UNAVAILABLE:
            notes.append(f"Stata is unavailable ({failure.ename}): {failure.evalue}")
            error = {"kind": "unavailable", "message": failure.evalue}
        elif failure is not None:
            rc = failure.rc
            if failure.is_break:
                notes.append("The run was interrupted (--Break--, r(1)); the Stata session is still usable.")
                error = {"kind": "break", "message": "--Break--"}
            else:
                notes.append(f"Stata error r({rc}): {failure.message}" if rc is not None else failure.evalue)
                error = {"kind": "stata", "message": failure.message}
        elif execution.status == "aborted":
            notes.append("The kernel skipped this code (status 'aborted'): an earlier request failed.")
            error = {"kind": "kernel", "message": "aborted"}
        elif execution.status != "ok":
            notes.append(f"The kernel answered with status {execution.status!r}.")
            error = {"kind": "kernel", "message": f"status {execution.status}"}
        else:
            rc = 0
    ok = error is None
    body = text if text else "(no output)"
    if truncated:
        notes.append(f"Output was long: the full log is the resource {record.uri}")
    if notes:
        body = body.rstrip("\n") + "\n\n" + "\n".join(f"{HEARTBEAT_PREFIX} {note}" for note in notes)
    images = _images(execution.displays) if execution is not None else []
    kept = _within_budget(images)
    if len(kept) < len(images):
        body += (
            f"\n{HEARTBEAT_PREFIX} {len(images) - len(kept)} of {len(images)} graphs were left out: "
            "too large for one result. Export them with `graph export` instead."
        )
    content: list[TextContent | ImageContent] = [TextContent(type="text", text=body), *kept]
    structured = {
        "ok": ok,
        "rc": rc,
        "error": error,
        "run_id": record.run_id,
        "log": {"truncated": truncated, "chars": record.total_chars, "uri": record.uri},
    }
    return CallToolResult(content=list(content), structured_content=structured, is_error=not ok)


def _within_budget(images: list[ImageContent]) -> list[ImageContent]:
    kept: list[ImageContent] = []
    used = 0
    for image in images:
        used += len(image.data)
        if used > MAX_IMAGE_BYTES:
            break
        kept.append(image)
    return kept


def _images(displays: list[DisplayItem]) -> list[ImageContent]:
    return [
        ImageContent(type="image", data=str(item.data["image/png"]).strip(), mime_type="image/png")
        for item in displays
        if "image/png" in item.data
    ]


async def evaluate(
    state: BridgeState, expressions: dict[str, str], report: ReportProgress | None = None
) -> Execution:
    """Evaluate kernel ``user_expressions`` without running code.

    Waits for a run in progress; with ``report`` (the call's progress) heartbeats say so meanwhile.
    """
    async with ProgressRelay(report or _no_progress, state.config.heartbeat_s) as relay:
        relay.waiting("the Stata kernel to start")
        kernel = await ready_kernel(state)
        relay.waiting("another Stata run on this session to finish")
        async with state.run_lock:
            relay.waiting("Stata to answer")
            try:
                return await kernel.execute("", _ignore, silent=True, user_expressions=expressions)
            except KernelError as exc:
                raise ToolError(str(exc)) from exc


async def _no_progress(progress: float, total: float | None, message: str | None) -> None:
    """Progress sink for callers without a request to report to."""


def _ignore(event: KernelEvent) -> None:
    """Silent requests produce no output worth keeping."""
