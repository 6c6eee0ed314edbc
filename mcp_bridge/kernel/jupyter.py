"""The only module that speaks the Jupyter messaging protocol.

One ``KernelChannels`` owns one ``AsyncKernelClient``: background readers drain iopub, shell and
control continuously and route each message by its parent ``msg_id`` to the run that sent it, so a
run sees only its own output (an attached notebook's cells are ignored) and ends at its own
``status: idle``. Output pieces are passed on as they arrive, never re-split into lines.

Memory under floods: the readers keep no queue of their own. Each message is handed to the run's
sink synchronously, and the sinks only ever hold bounded windows (the run's log,
``mcp_bridge.logwindow``; the progress relay's pending text), so a message's text is released as
soon as it has been handled. iopub's ZMQ receive high-water mark stays 0 (dropping would lose Stata
output); ZMQ's own queue only grows if this event loop stalls, never because a client is slow.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

import zmq
import zmq.asyncio
from jupyter_client.asynchronous.client import AsyncKernelClient

from .base import EventSink
from .errors import KernelError
from .events import DisplayItem, Execution, OutputText, RunFailure

log = logging.getLogger(__name__)

_DISPLAY_TYPES = frozenset({"display_data", "execute_result"})
# Shell and iopub are separate sockets, so the reply may trail the idle status a little; a kernel
# whose handler crashed sends idle but never a reply. Past this grace the run ends without it.
REPLY_GRACE_S = 2.0


def unlimited_context() -> zmq.asyncio.Context:
    """A zmq context whose sockets never drop incoming messages.

    iopub is a SUB socket: past its receive high-water mark (1000 by default) it silently drops
    messages, i.e. Stata output during a flood. The option must be set before the socket connects,
    and jupyter_client creates and connects in one step, so it is set as the context's default.
    """
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.RCVHWM, 0)
    return context


class _PendingRun:
    """Collects one execute request's messages until both its reply and its idle status arrived."""

    def __init__(self, on_event: EventSink) -> None:
        self.on_event = on_event
        self.reply: dict[str, Any] | None = None
        self.idle = False
        self.failure: RunFailure | None = None
        self.displays: list[DisplayItem] = []
        self.aborted: BaseException | None = None
        self.done = asyncio.Event()

    def emit(self, event: OutputText | DisplayItem | RunFailure) -> None:
        try:
            self.on_event(event)
        except Exception:  # a broken consumer must not stop the reader
            log.exception("event consumer failed")

    def check_done(self) -> bool:
        if self.idle and self.reply is not None:
            self.done.set()
        return self.done.is_set()

    def abort(self, exc: BaseException) -> None:
        self.aborted = exc
        self.done.set()

    def execution(self) -> Execution:
        reply = self.reply or {}
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, result in (reply.get("user_expressions") or {}).items():
            if result.get("status") == "ok":
                data = result.get("data") or {}
                values[name] = data.get("application/json", data.get("text/plain"))
            else:
                errors[name] = f"{result.get('ename', 'Error')}: {result.get('evalue', '')}".strip()
        status = str(reply.get("status", "error"))
        failure = self.failure
        if failure is None and status == "error":
            failure = RunFailure.from_content({"ename": "KernelError", **reply})
        return Execution(
            status=status,
            failure=failure,
            displays=self.displays,
            user_expressions=values,
            expression_errors=errors,
        )


class RunHandle:
    """A submitted run; stays routed until it ends even if a waiter gives up (so a break is seen)."""

    def __init__(self, run: _PendingRun) -> None:
        self._run = run

    @property
    def finished(self) -> bool:
        return self._run.done.is_set()

    async def wait(self) -> Execution:
        """Wait for the run's end; raise the reason when it was aborted (death, restart)."""
        await self._run.done.wait()
        if self._run.aborted is not None:
            raise self._run.aborted
        return self._run.execution()


class KernelChannels:
    """A connected kernel client with routed, never-blocking message readers."""

    def __init__(self, client: AsyncKernelClient) -> None:
        self._client = client
        self._pending: dict[str, _PendingRun] = {}
        self._readers: list[asyncio.Task[None]] = []
        self.busy = False

    async def open(self, ready_timeout: float) -> None:
        """Start the channels and wait until the kernel answers ``kernel_info``."""
        self._client.start_channels()
        try:
            await self._client.wait_for_ready(timeout=ready_timeout)
        except RuntimeError as exc:
            self._client.stop_channels()
            raise KernelError(str(exc)) from exc
        self._readers = [
            asyncio.create_task(self._read(self._client.iopub_channel, self._on_iopub), name="iopub"),
            asyncio.create_task(self._read(self._client.shell_channel, self._on_shell), name="shell"),
            asyncio.create_task(self._read(self._client.control_channel, self._on_control), name="control"),
        ]

    async def close(self, reason: BaseException | None = None) -> None:
        self.abort_all(reason or KernelError("the kernel connection was closed"))
        for task in self._readers:
            task.cancel()
        for task in self._readers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._readers = []
        self._client.stop_channels()

    def heartbeat_ok(self) -> bool:
        """False once the kernel missed heartbeats (for kernels whose process we cannot poll)."""
        return self._client.hb_channel.is_beating()

    def abort_all(self, exc: BaseException) -> None:
        """End every run in progress with ``exc`` (kernel died or restarted)."""
        for run in list(self._pending.values()):
            run.abort(exc)
        self._pending.clear()

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    def submit(
        self,
        code: str,
        on_event: EventSink,
        *,
        silent: bool = False,
        user_expressions: Mapping[str, str] | None = None,
    ) -> RunHandle:
        """Send an execute request; its messages flow to ``on_event`` until its idle status."""
        run = _PendingRun(on_event)
        msg_id = self._client.execute(
            code,
            silent=silent,
            store_history=not silent,
            user_expressions=dict(user_expressions or {}),
            allow_stdin=False,
            # A failed agent run must not abort requests other clients (a notebook) queued meanwhile.
            stop_on_error=False,
        )
        # Registered before any await: the readers cannot have seen a reply yet.
        self._pending[msg_id] = run
        return RunHandle(run)

    def note_run(self, msg_id: str, text: str) -> None:
        """Add a note of the connection's own (not the kernel's) to a run's output."""
        run = self._pending.get(msg_id)
        if run is not None:
            run.emit(OutputText(text))

    def end_run(self, msg_id: str, failure: RunFailure) -> None:
        """End a run whose end the connection lost (remote kernels): it fails with ``failure``."""
        run = self._pending.pop(msg_id, None)
        if run is None:
            return
        run.failure = failure
        run.emit(failure)
        run.reply = {"status": "error", "ename": failure.ename, "evalue": failure.evalue}
        run.idle = True
        run.check_done()

    def send_interrupt(self) -> None:
        """``interrupt_request`` on control: the kernelspec's interrupt mode is ``message``."""
        msg = self._client.session.msg("interrupt_request", content={})
        self._client.control_channel.send(msg)

    async def _read(self, channel: Any, handle: Any) -> None:
        while True:
            try:
                msg = await channel.get_msg()
            except asyncio.CancelledError:
                raise
            except zmq.ContextTerminated:
                return
            except Exception:
                log.exception("could not read a kernel message")
                await asyncio.sleep(0.1)  # back off rather than spin on a broken socket
                continue
            try:
                handle(msg)
            except Exception:
                log.exception("could not handle a %s message", msg.get("msg_type"))

    def _on_iopub(self, msg: dict[str, Any]) -> None:
        msg_type = msg["header"]["msg_type"]
        content = msg["content"]
        if msg_type == "status":
            self.busy = content.get("execution_state") == "busy"
        parent_id = msg["parent_header"].get("msg_id", "")
        run = self._pending.get(parent_id)
        if run is None:
            return
        if msg_type == "stream":
            if content.get("text"):
                run.emit(OutputText(content["text"]))
        elif msg_type in _DISPLAY_TYPES:
            item = DisplayItem.from_content(content)
            run.displays.append(item)
            run.emit(item)
        elif msg_type == "error":
            run.failure = RunFailure.from_content(content)
            run.emit(run.failure)
        elif msg_type == "status" and content.get("execution_state") == "idle":
            run.idle = True
            if not self._finish_if_done(parent_id, run):
                asyncio.get_running_loop().call_later(REPLY_GRACE_S, self._give_up_reply, parent_id, run)

    def _on_shell(self, msg: dict[str, Any]) -> None:
        if msg["header"]["msg_type"] != "execute_reply":
            return
        parent_id = msg["parent_header"].get("msg_id", "")
        run = self._pending.get(parent_id)
        if run is not None:
            run.reply = msg["content"]
            self._finish_if_done(parent_id, run)

    def _finish_if_done(self, msg_id: str, run: _PendingRun) -> bool:
        if run.check_done():
            self._pending.pop(msg_id, None)
            return True
        return False

    def _give_up_reply(self, msg_id: str, run: _PendingRun) -> None:
        if not run.done.is_set():
            log.warning("kernel went idle without an execute_reply for %s", msg_id)
            run.reply = {
                "status": "error",
                "ename": "NoReply",
                "evalue": "the kernel went idle without answering (an internal kernel error?)",
            }
            self._finish_if_done(msg_id, run)

    def _on_control(self, msg: dict[str, Any]) -> None:
        log.debug("control reply: %s %s", msg["header"]["msg_type"], msg["content"].get("status"))
