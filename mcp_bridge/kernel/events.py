"""What a run produces, in words that know neither Jupyter messages nor MCP.

The kernel layer turns iopub messages into these; the relay and the tools consume them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_RC = re.compile(r"r\((\d+)\);?\s*$")


@dataclass(frozen=True)
class OutputText:
    """A piece of Stata's output: arbitrary text, not necessarily whole lines."""

    text: str


@dataclass(frozen=True)
class DisplayItem:
    """Rich output (a graph): a MIME bundle, e.g. ``image/png`` base64 and ``text/plain``."""

    data: dict[str, Any]


@dataclass(frozen=True)
class RunFailure:
    """The kernel reported an error for the run (a Stata error, or Stata unavailable)."""

    ename: str
    evalue: str

    @property
    def rc(self) -> int | None:
        """Stata's return code, parsed from the trailing ``r(N);``."""
        match = _RC.search(self.evalue.strip())
        return int(match.group(1)) if match else None

    @property
    def message(self) -> str:
        """The error text without its ``r(N);`` line."""
        return _RC.sub("", self.evalue.strip()).strip()

    @property
    def is_break(self) -> bool:
        return self.rc == 1


KernelEvent = OutputText | DisplayItem | RunFailure


@dataclass
class Execution:
    """The outcome of one execute request, once the kernel went idle for it."""

    status: str  # "ok", "error" or "aborted"
    failure: RunFailure | None = None
    displays: list[DisplayItem] = field(default_factory=list)
    user_expressions: dict[str, Any] = field(default_factory=dict)  # name -> JSON value
    expression_errors: dict[str, str] = field(default_factory=dict)  # name -> why it failed
    timed_out: bool = False  # the bridge interrupted the run because its time limit passed
