"""pystata's output thread and stdout redirection: a port of ``pystata/core/stout.py`` of Stata 17 [17].

The code follows the original line by line (same names, same order of operations), so that its races are
the real ones: the thread reads the buffer *before* it checks whether the run ended, prints with
``print(output, end="", flush=True, file=config.stoutputf)``, swaps the process-wide ``sys.stdout`` and
``sys.stderr`` back and forth on every poll, and sleeps once more after its last round.

Two simulator hooks, marked ``# sim:``, play what differs by release or by timing (SIMULATED.txt):

* ``_read_round``: the tail race made seeded. [17] reads the buffer, THEN checks whether the run ended, so
  whatever Stata printed between the two stays in the buffer; when that happens depends on thread timing.
  The simulator decides "ended" just before the read instead (so timing never loses output) and plays the
  race with probability ``SIMSTATA_TAIL_RACE`` (default 0.05, after positron-stata's ~5% measurement;
  seeded by ``SIMSTATA_SEED``): the last round acts as if its read came just before Stata's last print,
  reads nothing, and the output stays in the buffer. Under release 19 a run ended by a break always does.
* ``_fail``: [17] raises the run's ``SystemError`` inside this thread; 18 and 19 hand it to ``run``.
"""

from __future__ import annotations

import sys
import threading
import time
from queue import LifoQueue
from typing import Any

from pystata import config
from pystata._sim import runtime as _runtime


def output_get_interactive_result(output: str, real_cmd: str, colon: bool, mode: int) -> str:
    """[17] What the interactive Mata (mode 2) / Python (mode 3) loop shows of an included block's output."""
    try:
        fmt_str1 = (". mata:\n" if colon else ". mata\n") if mode == 2 else ". python:\n" if colon else ". python\n"
        pos1 = output.index(fmt_str1)
        pos1 = pos1 + len(fmt_str1)
    except ValueError:
        pos1 = 0

    output = output[pos1:]

    try:
        fmt_str2 = "-" * 49 + " mata (type end to exit) " if mode == 2 else "-" * 47 + " python (type end to exit) "
        pos2 = output.index(fmt_str2)
        pos2 = output.index("\n") + 1
    except ValueError:
        pos2 = 0

    output = output[pos2:]

    try:
        fmt_str3 = real_cmd
        pos3 = output.index(fmt_str3)
        pos3 = 0 if pos3 != 0 else pos3 + len(fmt_str3)
    except (ValueError, TypeError):
        pos3 = 0

    output = output[pos3:]

    try:
        fmt_str4 = ": end\n" if mode == 2 else ">>> end\n"
        pos4 = output.rindex(fmt_str4)
    except ValueError:
        pos4 = 0

    return output[:pos4]


class StataDisplay:
    """[17] ``sys.stdout`` while Stata executes: Python's prints go into Stata's output buffer."""

    def write(self, text: str) -> None:
        text_list = text.split("\n")
        for t in text_list[:-1]:
            config.stlib.StataSO_AppendOutputBuffer(config.get_encode_str(t))
            config.stlib.StataSO_AppendOutputBuffer(config.get_encode_str("\n"))
        config.stlib.StataSO_AppendOutputBuffer(config.get_encode_str(text_list[-1]))

    def flush(self) -> None:
        pass


class StataError:
    """[17] ``sys.stderr`` while Stata executes."""

    def write(self, text: str) -> None:
        config.stlib.StataSO_AppendOutputBuffer(config.get_encode_str(text))

    def flush(self) -> None:
        pass


class RedirectOutput:
    """[17] context manager for redirecting stdout/err (process-wide)."""

    def __init__(self, stdout: Any = "", stderr: Any = "") -> None:
        self.stdout = stdout
        self.stderr = stderr

    def __enter__(self) -> None:
        self.sys_stdout = sys.stdout
        self.sys_stderr = sys.stderr

        if self.stdout:
            sys.stdout = self.stdout
        if self.stderr:
            if self.stderr == self.stdout:
                sys.stderr = sys.stdout
            else:
                sys.stderr = self.stderr

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        sys.stdout = self.sys_stdout
        sys.stderr = self.sys_stderr


def _print_streaming_output(output: str, newline: bool) -> None:
    if newline:
        print(output, flush=True, file=config.stoutputf)
    else:
        print(output, end="", flush=True, file=config.stoutputf)


class RepeatTimer(threading.Thread):
    """[17] The output thread: polls Stata's buffer every ``interval`` seconds until the run's rc arrives."""

    def __init__(
        self, tname: str, otype: int, queue: LifoQueue[int], interval: float, real_cmd: str | None,
        colon: bool | None, mode: int | None,
    ) -> None:
        threading.Thread.__init__(self, name=tname)
        self.q = queue
        self.otype = otype
        self.interval = interval
        self.is_done = False
        self.old_stdout = sys.stdout
        self.old_stderr = sys.stderr
        self.real_cmd = real_cmd
        self.colon = colon
        self.mode = mode
        self.error: SystemError | None = None  # sim: the run's error when the release raises in the caller
        self.ended = False  # sim: whether the run had ended when this round's read began (see _read_round)
        self.breaks_before = _breaks()  # sim: to tell a run ended by StataSO_SetBreak (release 19)

    def done(self) -> None:
        sys.stdout = self.old_stdout
        sys.stderr = self.old_stderr
        self.is_done = True

    def run(self) -> None:
        while not self.is_done:
            self.sys_stdout = sys.stdout
            self.sys_stderr = sys.stderr
            sys.stdout = self.old_stdout
            sys.stderr = self.old_stderr
            output = self._read_round()
            if not self.ended:  # sim: [17] `if self.q.empty():` -- the same question, asked before the read
                if len(output) != 0:
                    if self.mode != 1 and self.otype == 2:
                        output = output_get_interactive_result(output, self.real_cmd or "", bool(self.colon),
                                                               self.mode or 0)

                    _print_streaming_output(output, False)
            else:
                rc = self.q.get()
                self.done()
                if rc == 0:
                    if self.otype == 1:
                        if len(output) != 0:
                            _print_streaming_output(output, False)
                    else:
                        if self.mode != 1:
                            output = output_get_interactive_result(output, self.real_cmd or "",
                                                                   bool(self.colon), self.mode or 0)
                            _print_streaming_output(output, False)
                        else:
                            _print_streaming_output(output, True)
                else:
                    if self.otype == 1:
                        self._fail(output)
                    else:
                        if rc != 3000:
                            if self.mode != 1:
                                output = output_get_interactive_result(output, self.real_cmd or "",
                                                                       bool(self.colon), self.mode or 0)
                                _print_streaming_output(output, False)
                            else:
                                self._fail(output)

            sys.stdout = self.sys_stdout
            sys.stderr = self.sys_stderr
            time.sleep(self.interval)

    def _read_round(self) -> str:
        """``config.get_output()``; sim: or nothing, when the seeded tail race says this read came too early.

        Whether the run has ended is decided first (``self.ended``): once ``run`` has queued the rc, Execute
        has returned and everything it printed is in the buffer, so this read gets all of it -- unless the
        seeded draw plays [17]'s race. Deciding after the read, as [17] does, would lose output whenever the
        thread is preempted between the two, which no test could predict.
        """
        self.ended = not self.q.empty()
        if self.ended:  # the run has ended: the real thread may have read just before the last print
            rt = _runtime.get_runtime()
            rc = self.q.queue[-1]
            broke = rc == 1 and _breaks() > self.breaks_before
            if (broke and rt.release.empty_message_after_break) or rt.rng.random() < _tail_race_rate():
                return ""
        return config.get_output()

    def _fail(self, output: str) -> None:
        """[17] ``raise SystemError(output)`` here, in the thread; sim: 18 and 19 let ``run`` raise it."""
        if _runtime.get_runtime().release.error_in_output_thread:
            raise SystemError(output)
        self.error = SystemError(output)


def _breaks() -> int:
    """Breaks Stata has accepted so far (the simulator's counter on ``config.stlib``)."""
    return int(getattr(config.stlib, "sim_breaks", 0))


def _tail_race_rate() -> float:
    from pystata._sim.release import tail_race_rate

    return tail_race_rate()
