"""The one place where run events become MCP notifications: progress, log messages, or both.

Coalescing rule (docs/architecture.md, "The path of one output piece"): a chunk goes out at once when
no notification is in flight; only what queued up while one was being sent is joined into the next.
There is no waiting window, so a trickle of output arrives within milliseconds and a flood becomes a
few large notifications.
During silences a heartbeat (elapsed time, clearly worded) keeps the client informed and its
timers alive. ``progress`` counts notifications, so it strictly increases; ``total`` is omitted.

The same batches go to every channel the request gets (``notifications/progress`` and/or
``notifications/message``, chosen by ``tools.streams``), one after the other, so a client that
listens to both sees the same text in the same order on each. A channel whose send fails is
dropped alone; the others keep streaming.

Memory stays bounded when the client reads more slowly than Stata prints: the text queued while a
notification is in flight is held in a window (``window`` characters: the next to send and the latest,
``mcp_bridge.pending``), taken from it one notification at a time. Past it the middle is counted, not
kept, and the stream says so in one marker where the text is missing. The run's log is fed separately
and has that text as far as its own window reaches (its first and latest output).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from types import TracebackType

import anyio
from anyio.abc import TaskGroup

from .kernel import KernelEvent, OutputText
from .pending import PendingText

log = logging.getLogger(__name__)

ReportProgress = Callable[[float, float | None, str | None], Awaitable[None]]
"""``Context.report_progress``: (progress, total, message); a no-op without a progressToken."""
SendLog = Callable[[str], Awaitable[None]]
"""Sends one ``notifications/message`` carrying the text, tied to the request (``tools.streams``)."""

HEARTBEAT_PREFIX = "[stata-live]"
# Upper bound of one notification's text. Clients cap an SSE event (the Python SDK at 1 MiB); even
# if every character were escaped to 6 bytes of JSON this stays below that.
MAX_MESSAGE_CHARS = 128 * 1024
# Once the run is over, queued output gets this long to go out before the result is sent anyway
# (a client that stopped reading must not hold the call open forever).
FLUSH_TIMEOUT_S = 10.0
# Text queued while a notification is in flight is held within this many characters (head + tail).
DEFAULT_PENDING_CHARS = 8_000_000


SKIPPED_MARKER = re.compile(r"\n\[stata-live: ([\d,]+) characters of output skipped in progress[^\]]*\]\n")
"""Finds the markers :func:`skipped_marker` writes (group 1: the count, with thousands commas)."""


def skipped_marker(count: int) -> str:
    return (f"\n[stata-live: {count:,} characters of output skipped in progress (this client read more slowly "
            "than Stata printed); the run's log keeps its first and latest output]\n")


class _Channel:
    """One kind of notification a relay sends; ``broken`` once its transport failed."""

    def __init__(self, name: str, send: Callable[[int, str], Awaitable[None]]) -> None:
        self.name = name
        self.send = send
        self.broken = False


class ProgressRelay:
    """Streams one call's output to its client while the call runs.

    ``report`` sends progress (None: no progress for this call); ``log`` sends log messages
    (None: none). With neither, output is not even queued.
    """

    def __init__(
        self,
        report: ReportProgress | None,
        heartbeat_s: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        log: SendLog | None = None,
        window: int = DEFAULT_PENDING_CHARS,
    ) -> None:
        self._channels: list[_Channel] = []
        if report is not None:
            self._channels.append(_Channel("progress", lambda n, text: report(float(n), None, text)))
        if log is not None:
            self._channels.append(_Channel("log", lambda n, text: log(text)))
        self._heartbeat_s = heartbeat_s
        self._clock = clock
        self._pending = PendingText(window, skipped_marker)
        self._wake = anyio.Event()
        self._closing = False
        self._broken = not self._channels
        self._sending = False  # a notification is being sent
        self._deadline = False  # the flush deadline runs (the sender stops it when done)
        self._count = 0
        self._started = clock()
        self._last_sent = self._started
        self._last_output = self._started
        self._waiting_for: str | None = None
        self._task_group: TaskGroup | None = None

    async def __aenter__(self) -> ProgressRelay:
        self._task_group = anyio.create_task_group()
        await self._task_group.__aenter__()
        self._task_group.start_soon(self._send_loop, name="progress-relay")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        """Flush what is queued before the call's result goes out (unless the call failed).

        A failure of the call itself propagates unchanged (a ``ToolError`` must reach the SDK as
        such, not wrapped in an exception group), after the sender has been stopped.
        """
        assert self._task_group is not None
        if exc is None:
            self._closing = True
            self._wake.set()  # the sender sends what is queued, then returns (a cancel costs more)
            if self._sending or self._has_pending():
                self._deadline = True
                self._task_group.start_soon(self._flush_deadline)
            return await self._task_group.__aexit__(None, None, None)
        self._task_group.cancel_scope.cancel()
        await self._task_group.__aexit__(None, None, None)
        return None

    @property
    def sent(self) -> int:
        return self._count

    def on_event(self, event: KernelEvent) -> None:
        """Kernel event sink: queue output text (never blocks)."""
        if isinstance(event, OutputText):
            self.output(event.text)

    def output(self, text: str) -> None:
        if text and not self._broken:
            self._pending.append(text)
            self._wake.set()

    @property
    def pending_chars(self) -> int:
        """Characters held for the next notifications (at most the window, plus one marker)."""
        return self._pending.held_chars

    @property
    def skipped(self) -> int:
        """Characters left out of progress because the client fell behind the window."""
        return self._pending.skipped

    def _has_pending(self) -> bool:
        return bool(self._pending)

    def waiting(self, what: str | None) -> None:
        """Word heartbeats as waiting (e.g. for another run to finish) instead of running."""
        self._waiting_for = what

    async def _flush_deadline(self) -> None:
        await anyio.sleep(FLUSH_TIMEOUT_S)
        log.warning("progress could not be flushed within %ss; sending the result anyway", FLUSH_TIMEOUT_S)
        self._stop()

    def _stop(self) -> None:
        assert self._task_group is not None
        self._task_group.cancel_scope.cancel()

    async def _send_loop(self) -> None:
        try:
            await self._relay()
        finally:
            if self._deadline:
                self._stop()  # ends the flush deadline

    async def _relay(self) -> None:
        while True:
            if not self._has_pending():
                if self._closing:
                    return
                delay = max(0.0, self._last_sent + self._heartbeat_s - self._clock())
                with anyio.move_on_after(delay):
                    await self._wake.wait()
                self._wake = anyio.Event()
            if self._has_pending():
                await self._send(self._pending.take(MAX_MESSAGE_CHARS))
                self._last_output = self._last_sent
            elif self._closing:
                return
            elif self._clock() - self._last_sent >= self._heartbeat_s:
                await self._send(self._heartbeat_text())

    def _heartbeat_text(self) -> str:
        now = self._clock()
        elapsed = now - self._started
        if self._waiting_for:
            return f"{HEARTBEAT_PREFIX} waiting for {self._waiting_for}: {elapsed:.0f} s elapsed"
        return (
            f"{HEARTBEAT_PREFIX} Stata is still running: {elapsed:.0f} s elapsed, "
            f"no new output for {now - self._last_output:.0f} s"
        )

    @property
    def channels(self) -> list[str]:
        """The notifications this relay sends (``progress``, ``log``), for logs and tests."""
        return [channel.name for channel in self._channels]

    async def _send(self, message: str) -> None:
        if self._broken:
            return
        self._count += 1
        self._sending = True
        try:
            for channel in self._channels:
                if channel.broken:
                    continue
                try:
                    await channel.send(self._count, message)
                except Exception:
                    # The client went away or the transport failed: stop this channel, let the run finish.
                    log.warning("%s notification failed; no more of them for this call", channel.name,
                                exc_info=True)
                    channel.broken = True
        finally:
            self._sending = False
        self._broken = all(channel.broken for channel in self._channels)
        self._last_sent = self._clock()
