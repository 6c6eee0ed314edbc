"""Running one command through Stata's own entry points, the way every pystata release does underneath.

``pystata.stata.run`` differs by release (docs/real-stata.md): Stata 17 raises errors inside its
output thread, so ``run`` returns "success"; every call costs 15–30 ms of output-thread polling; a one-line
``mata`` calls ``input()``. The C entry points below it are the same in every release, so the engine drives
them itself: ``StataSO_Execute(bytes, echo) -> rc`` on the worker thread, the :class:`OutputPump` draining
the output buffer meanwhile, the rc from ``Execute``'s return value and the message from what Stata printed.
Nothing here imports pystata: :class:`EntryPoints` is filled in by the pystata backend.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import StataError
from .base import OutputCallback, RunGate
from .pump import OutputPump

_RC_LINE = re.compile(r"^r\((\d+)\);\s*$")
_ECHO_LINE = re.compile(r"^(?:\. |\.$|> |\s*\d+\. )")
OUTPUT_TAIL_CHARS = 4096  # kept of a run's output for its error message


@dataclass(frozen=True)
class EntryPoints:
    """Stata's C functions as pystata loaded them (``config.stlib``), adapted to plain Python callables."""

    execute: Callable[[bytes, bool], int]
    read_output: Callable[[], bytes | str | None]
    clear_output: Callable[[], None]
    append_output: Callable[[bytes], None] | None
    set_break: Callable[[], None]


class _StataConsole:
    """``sys.stdout``/``sys.stderr`` while Stata runs: Python code inside Stata (``python:`` blocks) prints
    into Stata's own output buffer, so its lines stay in order with Stata's and reach the cell."""

    encoding = "utf-8"

    def __init__(self, append: Callable[[bytes], None]) -> None:
        self._append = append

    def write(self, text: str) -> int:
        if text:
            self._append(text.encode("utf-8", "replace"))
        return len(text)

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Stata's buffer is read by the pump; nothing is held here."""

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


class _Tail:
    """The end of a run's output, for the error message (a run can print gigabytes before failing)."""

    def __init__(self, forward: OutputCallback) -> None:
        self._forward = forward
        self.text = ""

    def __call__(self, piece: str) -> None:
        self.text = (self.text + piece)[-OUTPUT_TAIL_CHARS:]
        self._forward(piece)


def error_message(output_tail: str) -> str:
    """Stata's message for a failed command: the line just above the final ``r(N);``.

    Stata prints the message, then ``r(N);`` (twice when an included do-file fails). The output a loop
    printed before it has no marker, so only that one line is taken; none when it is a command echo
    (``exit 459`` prints no message).
    """
    lines = output_tail.rstrip().splitlines()
    while lines and (not lines[-1].strip() or _RC_LINE.match(lines[-1].strip())):
        lines.pop()
    if not lines or _ECHO_LINE.match(lines[-1]):
        return ""
    return lines[-1].strip()


class RunLoop:
    """Executes one line at Stata's prompt with output streamed while it runs; one caller at a time."""

    def __init__(self, entry: EntryPoints, pump: OutputPump | None = None) -> None:
        self.entry = entry
        self.pump = pump or OutputPump()
        self._stdio_lock = threading.Lock()

    def execute(self, command: str, on_output: OutputCallback, gate: RunGate | None = None) -> None:
        """Run ``command`` (one line); raise :class:`StataError` with ``Execute``'s rc when it fails."""
        entry = self.entry
        entry.clear_output()  # anything there belongs to no run (pystata clears it too)
        tail = _Tail(on_output)
        if gate is not None:
            gate.enter()  # may refuse (a break that came first): nothing has started yet
        rc = 0
        self.pump.open(entry.read_output, tail)
        try:
            try:
                with self._python_prints_into_stata():
                    rc = int(entry.execute(command.encode("utf-8"), False))
            finally:
                if gate is not None:
                    gate.leave()
        finally:
            self.pump.close()
        if rc != 0:
            raise StataError(rc, error_message(tail.text), output_tail=tail.text)

    @contextmanager
    def _python_prints_into_stata(self) -> Iterator[None]:
        append = self.entry.append_output
        if append is None:
            yield
            return
        console = _StataConsole(append)
        with self._stdio_lock:
            saved = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = console
        try:
            yield
        finally:
            with self._stdio_lock:
                sys.stdout, sys.stderr = saved
