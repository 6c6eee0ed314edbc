"""Jupyter ``is_complete`` for Stata source: answered from the text alone, never by asking Stata.

jupyter console stops asking after one slow reply, so this must stay pure text and fast.
"""

from __future__ import annotations

import re

from .commands import resolve_command
from .lexer import SEMI, scan
from .split import strip_prefixes

COMPLETE = "complete"
INCOMPLETE = "incomplete"
INVALID = "invalid"

INDENT_UNIT = "    "

# Cheap pre-check so the statement-level pass below only runs when a program/mata/python block may be open.
_MAY_OPEN_BLOCK = re.compile(
    r"(?:^|;)[ \t]*(?:(?:cap\w*|qui\w*|n\w*)[ \t]*:?[ \t]+)*(?:pr(?:o(?:g(?:r(?:a(?:m)?)?)?)?)?|mata|python)\b",
    re.M,
)
_NOT_A_DEFINITION = frozenset({"drop", "dir", "l", "li", "lis", "list"})


def is_complete(code: str, delimiter: str = "cr") -> tuple[str, str]:
    """Return (``"complete"|"incomplete"|"invalid"``, indent for the next line).

    ``delimiter`` is the ``#delimit`` mode in force before ``code`` (the kernel tracks it across cells).

    * ``invalid``: an unmatched ``}`` or an unterminated string (outside a ``python`` block). Stata rejects
      both and no further input can repair them (strings never continue onto the next line), so the frontend
      should submit now and let Stata report the error.
    * ``incomplete``: an open ``{`` block, an open ``/* */`` comment, a trailing ``///`` (also on a ``*``
      comment), a ``program``/``mata``/``python`` block without its ``end``, or, under ``#delimit ;`` in force
      at the end, a last statement (or ``*`` comment) without its ``;``. Indent: four blanks per open level.
    * ``complete`` otherwise (including empty input).
    """
    result = scan(code, delimiter, collect=False)
    open_blocks = 0
    errors = result.errors
    if _MAY_OPEN_BLOCK.search(code):
        open_blocks, python_lines = _open_end_blocks(code, delimiter)
        errors = [e for e in errors if not any(a <= e[0] <= b for a, b in python_lines)]
    if errors:
        return INVALID, ""
    if (
        result.comment_depth
        or result.continued
        or result.depth > 0
        or open_blocks
        or (result.delimiter == SEMI and result.pending)
    ):
        return INCOMPLETE, INDENT_UNIT * (result.depth + open_blocks)
    return COMPLETE, ""


def _open_end_blocks(code: str, delimiter: str) -> tuple[int, list[tuple[int, int]]]:
    """Count ``program``/``mata``/``python`` blocks still waiting for ``end``; also the python line ranges
    (their text is Python, so Stata string errors there do not count)."""
    stack: list[tuple[str, int]] = []
    python_lines: list[tuple[int, int]] = []
    for s in scan(code, delimiter).statements:
        if s.kind != "command":
            continue
        _, rest = strip_prefixes(s.text)
        words = rest.replace(":", " : ", 1).split()
        if not words:
            continue
        if words == ["end"]:
            if stack:
                kind, line = stack.pop()
                if kind == "python":
                    python_lines.append((line, s.line))
            continue
        if stack and stack[-1][0] == "python":
            continue
        cmd = resolve_command(words[0])
        tail = words[1:]
        if tail and tail[0] == ":":
            tail = tail[1:]
        if cmd == "program" and tail and tail[0] not in _NOT_A_DEFINITION:
            stack.append(("program", s.line))
        elif cmd in ("mata", "python") and (not tail or tail[0].startswith(",")):
            stack.append((cmd, s.line))
    python_lines += [(line, 1 << 30) for kind, line in stack if kind == "python"]
    return len(stack), python_lines
