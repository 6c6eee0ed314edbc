"""Running code for a tool call: serialise, stream, keep the log, and shape the result.

Every run-like tool (``stata_run``, ``stata_run_file``, ``stata_help``) goes through
``run_and_report`` so they all stream the same way and answer in the same shape.
"""

from __future__ import annotations

import logging
from typing import Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, ImageContent, TextContent

from stata_kernel.syntax.failing import locate

from ..background import BackgroundHost
from ..kernel import DisplayItem, Execution, KernelDied, KernelError, KernelRestarted, RunFailure
from ..refusals import Refused
from ..relay import HEARTBEAT_PREFIX, ProgressRelay
from ..results import (
    DEFAULT_MAX_CELLS,
    EXPRESSIONS,
    KERNEL_DIED,
    OTHER,
    TIMEOUT,
    UNAVAILABLE,
    Timer,
    dataset_facts,
    error,
    final_failure_output,
    graph_facts,
    kind_of_rc,
    log_facts,
    refusal,
    stored_results,
    swallowed_errors,
)
from ..runner import RunOutcome
from ..runs import RunRecord
from ..state import BridgeState
from .common import ready_kernel
from .streams import Channels, channels_for

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
    fetch_results: bool = False,
    max_cells: int | None = DEFAULT_MAX_CELLS,
) -> CallToolResult:
    """Run ``code`` on the shared kernel, streaming its output (progress and/or log), and build the result.

    With ``fetch_results`` the kernel also evaluates r(), e() and describe() after the code, in the
    same execute request (one round trip), for the structured result. While a background run holds
    the session the call is refused at once (``session_busy``); behind another foreground run it waits.
    """
    channels = channels_for(ctx, state.config.stream_via)
    async with ProgressRelay(channels.progress, state.config.heartbeat_s, log=channels.log,
                             window=state.config.progress_window_chars) as relay:
        relay.waiting("the Stata kernel to start")
        kernel = await ready_kernel(state)
        if isinstance(kernel, Refused):
            return kernel.result()
        refused = state.runner.busy(background=False)
        if refused is not None:
            return refused.result()
        record = state.runs.new(label)
        ran = RunOutcome()
        try:
            # stata_cancel(run_id) from another request cancels the run: the call then answers with
            # a cancelled result, whether the run was going or still waiting for the session.
            ran = await state.runner.execute(
                kernel, record, code, relay.on_event, timeout_s=timeout_s,
                user_expressions=EXPRESSIONS if fetch_results else None, waiting=relay.waiting,
            )
        finally:
            # Built before the record says it is done, so stata_run_status / stata_cancel see the result;
            # also when the request was cancelled (while running or waiting for the lock).
            result = build_result(state, record, code, ran.execution, ran.problem, timeout_s=timeout_s,
                                  timer=ran.timer, max_cells=max_cells, cancelled=ran.cancelled)
            record.finish(ran.outcome)
    return result


async def start_background(
    state: BridgeState,
    host: BackgroundHost,
    code: str,
    *,
    label: str,
    timeout_s: float | None,
    max_cells: int | None,
) -> CallToolResult:
    """Start ``code`` as a background run and answer at once with its run id (state ``running``)."""
    kernel = await ready_kernel(state)
    if isinstance(kernel, Refused):
        return kernel.result()

    async def body(record: RunRecord) -> None:
        """Like a foreground run, with the record as its only audience."""
        ran = RunOutcome()
        try:
            ran = await state.runner.execute(kernel, record, code, None, timeout_s=timeout_s,
                                             user_expressions=EXPRESSIONS)
        finally:
            build_result(state, record, code, ran.execution, ran.problem, timeout_s=timeout_s, timer=ran.timer,
                         max_cells=max_cells, cancelled=ran.cancelled)
            record.finish(ran.outcome)

    def abandoned(record: RunRecord) -> None:
        build_result(state, record, code, None, None, timeout_s=timeout_s, timer=Timer(), cancelled=True)

    started = state.runner.start_background(host, label, body, abandoned)
    if isinstance(started, Refused):
        return started.result()
    structured = {
        **refusal(None),  # type: ignore[arg-type]
        "ok": True,
        "run_id": started.run_id,
        "state": "running",
        "log": log_facts("", started.uri),
    }
    text = (
        f"Started background run {started.run_id}. Poll stata_run_status(run_id={started.run_id!r}, since=0) "
        "for its state and new output (pass the returned `next` as `since`); stata_cancel stops it. "
        "Other runs on this session are refused (session_busy) until it ends."
    )
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


def build_result(
    state: BridgeState,
    record: RunRecord,
    code: str,
    execution: Execution | None,
    problem: KernelError | None,
    *,
    timeout_s: float | None,
    timer: Timer,
    max_cells: int | None = DEFAULT_MAX_CELLS,
    cancelled: bool = False,
) -> CallToolResult:
    """The tool result (readable text, graphs) and its structured content, also kept on the record."""
    text, truncated = record.excerpt()
    full = record.text
    notes: list[str] = []
    rc: int | None = None
    err: dict[str, Any] | None = None
    interrupted = timed_out = False
    if cancelled:
        interrupted = True
        err = error("break", "The run was cancelled; Stata was interrupted (--Break--).")
    elif problem is not None:
        notes.append(str(problem))
        kind = KERNEL_DIED if isinstance(problem, KernelDied | KernelRestarted) else UNAVAILABLE
        err = error(kind, str(problem))
    elif execution is not None:
        failure = execution.failure
        if execution.timed_out:
            rc, interrupted, timed_out = 1, True, True
            notes.append(
                f"The run passed its time limit (timeout_s={timeout_s:g}) and was interrupted "
                "(--Break--, r(1)). The Stata session is still usable; data in memory may reflect a "
                "partly run script."
            )
            err = _located(TIMEOUT, "time limit reached; run interrupted", code, full, "", failure)
        elif failure is not None and failure.ename in _UNAVAILABLE:
            notes.append(f"Stata is unavailable ({failure.ename}): {failure.evalue}")
            err = error(UNAVAILABLE, failure.evalue)
        elif failure is not None:
            rc = failure.rc
            if failure.is_break:
                interrupted = True
                notes.append("The run was interrupted (--Break--, r(1)); the Stata session is still usable.")
                err = _located("break", "--Break--", code, final_failure_output(full, rc), "", failure)
            else:
                err = _located(kind_of_rc(rc), failure.message, code, final_failure_output(full, rc),
                               failure.message, failure)
                where = f" at line {err['line']} ({err['command'][:120]})" if err["line"] is not None else ""
                notes.append(
                    f"Stata error r({rc}){where}: {failure.message}" if rc is not None else failure.evalue
                )
        elif execution.status == "aborted":
            notes.append("The kernel skipped this code (status 'aborted'): an earlier request failed.")
            err = error(OTHER, "aborted")
        elif execution.status != "ok":
            notes.append(f"The kernel answered with status {execution.status!r}.")
            err = error(OTHER, f"status {execution.status}")
        else:
            rc = 0
    ok = err is None
    body = text if text else "(no output)"
    if truncated:
        notes.append(f"Output was long: the full log is the resource {record.uri}")
    images = _images(execution.displays) if execution is not None else []
    kept = _within_budget(images)
    warnings = swallowed_errors(code, full, skip_last=not ok and rc is not None)
    results, result_notes = stored_results(execution, max_cells) if execution is not None else (None, [])
    warnings += result_notes
    dataset = None
    if execution is not None:
        dataset, state.runs.last_dataset = dataset_facts(execution, state.runs.last_dataset)
    if len(kept) < len(images):
        warnings.append(
            f"{len(images) - len(kept)} of {len(images)} graphs were left out: too large for one result. "
            "Export them with `graph export` instead."
        )
    notes += [f"Warning: {w}" for w in warnings]
    if notes:
        body = body.rstrip("\n") + "\n\n" + "\n".join(f"{HEARTBEAT_PREFIX} {note}" for note in notes)
    content: list[TextContent | ImageContent] = [TextContent(type="text", text=body), *kept]
    structured: dict[str, Any] = {
        "ok": ok,
        "rc": rc,
        "run_id": record.run_id,
        "state": "finished" if ok else ("cancelled" if interrupted and not timed_out else "failed"),
        "elapsed_s": timer.elapsed,
        "interrupted": interrupted,
        "timed_out": timed_out,
        "error": err,
        "results": results,
        "dataset": dataset,
        "graphs": graph_facts(execution.displays, len(kept)) if execution is not None else [],
        "warnings": warnings,
        "log": _log(full, record.uri, truncated, record.skipped_chars),
    }
    record.result = structured
    return CallToolResult(content=list(content), structured_content=structured, is_error=not ok)


def _log(full: str, uri: str, text_truncated: bool, skipped: int) -> dict[str, Any]:
    """The result's ``log``; ``skipped_chars``: output past the log window, kept nowhere (counted only)."""
    facts = log_facts(full, uri)
    facts["truncated"] = facts["truncated"] or text_truncated or skipped > 0
    facts["skipped_chars"] = skipped
    return facts


def _located(kind: str, message: str, code: str, output: str, hint: str,
             failure: RunFailure | None) -> dict[str, Any]:
    """Our kernel's facts say where it failed; Stata's echo is read when it sends none (another kernel,
    or a run whose output outgrew what the kernel keeps for its error)."""
    where = failure.location if failure is not None else None
    if where is not None:
        return error(kind, message, *where)
    found = locate(code, output, hint)
    return error(kind, message, found.command if found else None, found.line if found else None)


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
    state: BridgeState, expressions: dict[str, str], channels: Channels | None = None
) -> Execution:
    """Evaluate kernel ``user_expressions`` without running code (tools without a run result: a refusal
    or a kernel failure is their ``ToolError``).

    Waits for a run in progress; with ``channels`` (the call's progress or log) heartbeats say so meanwhile.
    """
    channels = channels or Channels(None, None)
    async with ProgressRelay(channels.progress, state.config.heartbeat_s, log=channels.log) as relay:
        relay.waiting("the Stata kernel to start")
        kernel = await ready_kernel(state)
        refused = kernel if isinstance(kernel, Refused) else state.runner.busy(background=False)
        if refused is not None:
            raise ToolError(refused.message)
        assert not isinstance(kernel, Refused)
        try:
            return await state.runner.evaluate(kernel, expressions, relay.waiting)
        except KernelError as exc:
            raise ToolError(str(exc)) from exc
