"""One ``Runner`` per kernel owns the life of its runs.

It holds what used to be spread over the bridge state, the run registry and the run records: the lock
that serialises runs on one Stata session, the run in progress, the background run that holds the
session, the cancel scope of each run, and the task group background runs live in. Foreground and
background runs share one body (:meth:`Runner.execute`); the tools only validate, ask, and format.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import anyio

from .background import BackgroundHost
from .kernel import Execution, KernelConnection, KernelError, KernelEvent, OutputText
from .refusals import Refused
from .relay import HEARTBEAT_PREFIX
from .results import Timer
from .runs import RunRecord, RunRegistry

Waiting = Callable[[str | None], None]
"""Told what a call waits for (``ProgressRelay.waiting``), None once it runs."""


@dataclass
class RunOutcome:
    """How a run ended: the kernel's answer, or the kernel error, or cancelled (neither)."""

    execution: Execution | None = None
    problem: KernelError | None = None
    outcome: str = "cancelled"  # then ok, error, break, timeout, kernel error
    timer: Timer = field(default_factory=Timer)

    @property
    def cancelled(self) -> bool:
        return self.outcome == "cancelled"


def _no_wait(_: str | None) -> None:
    """No audience for waiting notes (background runs)."""


class Runner:
    """Runs on one kernel, one at a time."""

    def __init__(self, registry: RunRegistry) -> None:
        self.registry = registry
        # fast_acquire: a free lock is taken without a pass through the event loop (every run takes it)
        self.lock = anyio.Lock(fast_acquire=True)
        self.current: RunRecord | None = None  # the run Stata is executing
        self.background: RunRecord | None = None  # the background run holding the session
        self.host = BackgroundHost()
        self._scopes: dict[str, anyio.CancelScope] = {}

    # -- who may run --

    def busy(self, *, background: bool) -> Refused | None:
        """The ``session_busy`` refusal, or None when this call may run.

        One run per Stata session at a time. A background run holds the session until it ends, so any
        other run is refused at once (waiting could take hours). A new background run is also refused
        while a foreground run is going; foreground runs behind a foreground run wait.
        """
        running = self.background
        if running is not None:
            return Refused.busy(
                f"session_busy: the background run {running.run_id} ({running.label!r}) is still running on "
                "this Stata session, which runs one thing at a time. Poll stata_run_status(run_id) until it "
                "ends, or stop it with stata_cancel(run_id). Nothing was run."
            )
        if background and (self.lock.locked() or self.current is not None):
            return Refused.busy(
                "session_busy: another run is in progress on this Stata session; a background run starts "
                "only when the session is free. Try again when it ends, or interrupt it with stata_interrupt. "
                "Nothing was run."
            )
        return None

    # -- running --

    async def execute(
        self,
        kernel: KernelConnection,
        record: RunRecord,
        code: str,
        sink: Callable[[KernelEvent], None] | None = None,
        *,
        timeout_s: float | None,
        user_expressions: Mapping[str, str] | None,
        waiting: Waiting = _no_wait,
    ) -> RunOutcome:
        """Run ``code`` for ``record`` once the session is free; ``stata_cancel`` cancels it (:meth:`cancel`).

        Output goes to the record's log and to ``sink`` (None: the log is its only audience). A cancelled
        request re-raises after noting it in the log (the kernel layer has interrupted Stata by then).
        """
        ran = RunOutcome()

        def on_event(event: KernelEvent) -> None:
            if isinstance(event, OutputText):
                record.append(event.text)
            if sink is not None:
                sink(event)

        waiting("another Stata run on this session to finish")
        with anyio.CancelScope() as scope:
            self._scopes[record.run_id] = scope
            try:
                async with self.lock:
                    waiting(None)
                    self.current = record
                    ran.timer.start()
                    try:
                        ran.execution = await kernel.execute(
                            code, on_event, timeout=timeout_s, user_expressions=user_expressions
                        )
                        ran.outcome = _outcome(ran.execution)
                    except KernelError as exc:
                        ran.problem = exc
                        ran.outcome = "kernel error"
                    except anyio.get_cancelled_exc_class():
                        if record.background:
                            who = "run was cancelled"
                        else:
                            who = "run was cancelled (stata_cancel)" if scope.cancel_called else "request was cancelled"
                        record.append(f"\n{HEARTBEAT_PREFIX} The {who}; Stata was interrupted.\n")
                        raise
                    finally:
                        ran.timer.stop()
                        self.current = None
            finally:
                self._scopes.pop(record.run_id, None)
        return ran

    def start_background(
        self,
        host: BackgroundHost,
        label: str,
        body: Callable[[RunRecord], Awaitable[None]],
        abandoned: Callable[[RunRecord], None],
    ) -> RunRecord | Refused:
        """Claim the session for a background run and start ``body(record)`` in ``host``.

        ``abandoned(record)`` is told when there is no host to start it in (the record then ends cancelled).
        """
        refused = self.busy(background=True)
        if refused is not None:
            return refused
        record = self.registry.new(label, background=True)
        self.background = record  # claimed before any await: a racing call sees the session busy

        async def run() -> None:
            try:
                await body(record)
            finally:
                self.background = None

        try:
            host.spawn(run)
        except RuntimeError as exc:  # no host (the server is shutting down)
            self.background = None
            abandoned(record)
            record.finish("cancelled")
            return Refused.unavailable(f"Background runs are unavailable: {exc}. Nothing was run.")
        return record

    async def evaluate(
        self, kernel: KernelConnection, expressions: Mapping[str, str], waiting: Waiting = _no_wait
    ) -> Execution:
        """``user_expressions`` alone (no code), once the session is free."""
        waiting("another Stata run on this session to finish")
        async with self.lock:
            waiting("Stata to answer")
            return await kernel.execute("", _ignore, silent=True, user_expressions=dict(expressions))

    # -- stopping --

    def cancel(self, record: RunRecord) -> bool:
        """Cancel ``record``'s run (its task interrupts Stata and waits for the break); False: no scope."""
        scope = self._scopes.get(record.run_id)
        if scope is None:
            return False
        scope.cancel()
        return True


def _outcome(execution: Execution) -> str:
    if execution.timed_out:
        return "timeout"
    if execution.failure is not None:
        return "break" if execution.failure.is_break else "error"
    return "ok" if execution.status == "ok" else "error"


def _ignore(event: KernelEvent) -> None:
    """Silent requests produce no output worth keeping."""
