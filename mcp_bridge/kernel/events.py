"""What a run produces, in words that know neither Jupyter messages nor MCP.

The kernel layer turns iopub messages into these; the relay and the tools consume them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stata_kernel.syntax import wire

_RC = re.compile(r"r\((\d+)\);?\s*$")
_GRAPH_LABEL = re.compile(r"<Stata graph (.+)>$")


@dataclass(frozen=True)
class OutputText:
    """A piece of Stata's output: arbitrary text, not necessarily whole lines."""

    text: str


@dataclass(frozen=True)
class DisplayItem:
    """Rich output (a graph): a MIME bundle, e.g. ``image/png`` base64 and ``text/plain``."""

    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> DisplayItem:
        """From a ``display_data`` / ``execute_result`` message's content."""
        return cls(dict(content.get("data") or {}), dict(content.get("metadata") or {}))

    @property
    def graph_name(self) -> str | None:
        """The Stata graph's name: our kernel's metadata, else its ``<Stata graph NAME>`` label."""
        facts = self.metadata.get(wire.STATA)
        if isinstance(facts, dict) and isinstance(facts.get(wire.GRAPH), str):
            return str(facts[wire.GRAPH])
        match = _GRAPH_LABEL.match(str(self.data.get("text/plain", "")).strip())
        return match.group(1) if match else None


@dataclass(frozen=True)
class RunFailure:
    """The kernel reported an error for the run (a Stata error, or Stata unavailable)."""

    ename: str
    evalue: str
    facts: dict[str, Any] = field(default_factory=dict)  # our kernel's ``content[wire.STATA]``; {} otherwise

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> RunFailure:
        """From an ``error`` message's (or an error ``execute_reply``'s) content."""
        facts = content.get(wire.STATA)
        return cls(str(content.get("ename", "")), str(content.get("evalue", "")),
                   dict(facts) if isinstance(facts, dict) else {})

    @property
    def rc(self) -> int | None:
        """Stata's return code: the kernel's fact, else parsed from the trailing ``r(N);``."""
        rc = self.facts.get(wire.RC)
        if isinstance(rc, int) and not isinstance(rc, bool):
            return rc
        match = _RC.search(self.evalue.strip())
        return int(match.group(1)) if match else None

    @property
    def message(self) -> str:
        """The error text without its ``r(N);`` line."""
        message = self.facts.get(wire.MESSAGE)
        if isinstance(message, str):
            return message
        return _RC.sub("", self.evalue.strip()).strip()

    @property
    def location(self) -> tuple[str, int] | None:
        """(failing command, 1-based line in the submitted code) when the kernel sent them."""
        line, command = self.facts.get(wire.LINE), self.facts.get(wire.COMMAND)
        if isinstance(line, int) and isinstance(command, str):
            return command, line
        return None

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
