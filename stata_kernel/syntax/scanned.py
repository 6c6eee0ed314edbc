"""What a scan of Stata source produces: delimiter modes, lexical states, statements.

The data half of :mod:`stata_kernel.syntax.lexer`, kept apart so readers of its results (completion,
``#delimit`` rewriting, the policy) see the shapes without the scanning loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CR = "cr"
SEMI = ";"

# Lexical state names reported at the end of a scan (used by completion).
CODE = "code"
STRING = "string"
COMPOUND = "compound"
MACRO = "macro"
GLOBAL = "global"
LINE_COMMENT = "line_comment"
BLOCK_COMMENT = "block_comment"
STAR_COMMENT = "star_comment"


def normalize_delimiter(delimiter: str) -> str:
    """Accept the spellings callers use (``"cr"``, ``";"``, ``"semicolon"``) and return ``cr`` or ``;``."""
    d = delimiter.strip().lower()
    if d in (";", "semicolon", "semi"):
        return SEMI
    if d in ("cr", "", "newline", "\n"):
        return CR
    raise ValueError(f"unknown #delimit mode: {delimiter!r} (expected 'cr' or ';')")


@dataclass(frozen=True, slots=True)
class Statement:
    """A logical statement: what Stata executes as one command line.

    ``text`` has comments removed, ``///`` continuations joined and (under ``;``) newlines turned into blanks,
    so it is always a single line. ``depth``/``depth_after`` are the ``{`` nesting before and after it.
    ``kind`` is ``"command"`` or ``"delimit"`` (a ``#delimit`` directive, whose ``text`` is the new
    delimiter). Comment-only and blank statements are not reported.
    """

    text: str
    start: int
    end: int
    line: int
    end_line: int
    delimiter: str
    depth: int
    depth_after: int
    kind: str = "command"
    terminated: bool = True


@dataclass(slots=True)
class ScanResult:
    """Statements plus the state at end of input (what ``is_complete`` and completion need)."""

    statements: list[Statement]
    delimiter: str
    depth: int
    comment_depth: int
    continued: bool
    pending: bool
    state: str
    errors: list[tuple[int, str]] = field(default_factory=list)
    pending_text: str = ""
    pending_start: int = -1
    context_start: int = -1
