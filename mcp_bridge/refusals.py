"""Refusals as values: a call that may not run (bad input, policy, busy session, no kernel).

Checks return a :class:`Refused` instead of raising; the tools turn it into a result at one boundary,
:meth:`Refused.result`, which gives the run tools' result shape (``isError`` with the structured
content every run result has, ``rc`` null: Stata never ran).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcp_types import CallToolResult, TextContent

from .results import INVALID_INPUT, SESSION_BUSY, UNAVAILABLE, error, refusal


@dataclass(frozen=True)
class Refused:
    """Why a call was refused: the structured ``error`` object of its result."""

    error: dict[str, Any]

    @classmethod
    def of(cls, kind: str, message: str, command: str | None = None, line: int | None = None) -> Refused:
        return cls(error(kind, message, command, line))

    @classmethod
    def invalid(cls, message: str) -> Refused:
        return cls.of(INVALID_INPUT, message)

    @classmethod
    def busy(cls, message: str) -> Refused:
        return cls.of(SESSION_BUSY, message)

    @classmethod
    def unavailable(cls, message: str) -> Refused:
        return cls.of(UNAVAILABLE, message)

    @property
    def message(self) -> str:
        return str(self.error["message"])

    def result(self) -> CallToolResult:
        """The one place a refusal becomes a tool result."""
        return CallToolResult(
            content=[TextContent(type="text", text=self.message)], structured_content=refusal(self.error), is_error=True
        )
