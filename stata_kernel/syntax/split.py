"""Logical commands of a cell, with where they are and what block encloses them, and prefix stripping."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .commands import resolve_command
from .lexer import CR, scan


@dataclass(frozen=True, slots=True)
class Command:
    """One logical command.

    ``text`` has comments removed and continuations joined. ``line``/``end_line`` are 1-based lines of the
    original code. ``depth`` is the ``{`` nesting it runs at (a closing ``}`` line is at its opener's depth)
    and ``parent`` the index, in this list, of the command that opened the enclosing block (None at top).
    ``delimiter`` is the ``#delimit`` mode it was written under.
    """

    text: str
    line: int
    end_line: int
    depth: int
    parent: int | None
    delimiter: str
    start: int
    end: int


def split_commands(code: str, delimiter: str = CR) -> list[Command]:
    """Cut ``code`` into logical commands (``#delimit`` lines are applied and left out)."""
    commands: list[Command] = []
    openers: dict[int, int] = {}  # block level -> index of the command that opened it
    for s in scan(code, delimiter).statements:
        if s.kind != "command":
            continue
        leading_closes = len(s.text) - len(s.text.lstrip("}"))
        depth = max(s.depth - leading_closes, 0)
        parent = openers.get(depth) if depth > 0 else None
        commands.append(
            Command(
                text=s.text,
                line=s.line,
                end_line=s.end_line,
                depth=depth,
                parent=parent,
                delimiter=s.delimiter,
                start=s.start,
                end=s.end,
            )
        )
        if s.depth_after > depth:
            openers[s.depth_after] = len(commands) - 1
    return commands


# ----------------------------------------------------------------------------------------------------------
# prefixes

_SIMPLE_PREFIXES = ("quietly", "noisily", "capture")
_WORD = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(:)?")


def top_level_colon(text: str, start: int) -> int:
    """Offset of the first ``:`` at ``start`` or later outside strings, macros and parentheses; -1 if none."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = text.find('"', i + 1)
            i = n if j < 0 else j + 1
            continue
        if c == "`":
            if text.startswith('`"', i):
                j = text.find("\"'", i + 2)
                i = n if j < 0 else j + 2
            else:
                j = text.find("'", i + 1)
                i = i + 1 if j < 0 else j + 1
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(depth - 1, 0)
        elif c == ":" and depth == 0:
            return i
        i += 1
    return -1


def strip_prefixes(cmd: str) -> tuple[list[str], str]:
    """Split leading prefix commands off ``cmd``; return (canonical prefix names, the rest).

    Handles ``quietly``/``noisily``/``capture`` in every abbreviation (``qui``, ``n``, ``noi``, ``cap``,
    ``capt``...), with or without a colon, and the colon prefixes ``by``/``bysort ... :``, ``version # :``
    and ``frame name :``. ``quietly {`` gives (["quietly"], "{").
    """
    prefixes: list[str] = []
    rest = cmd.strip()
    while rest:
        m = _WORD.match(rest)
        if m is None:
            break
        name = resolve_command(m.group(1))
        if name in _SIMPLE_PREFIXES:
            prefixes.append(name)
            rest = rest[m.end() :].lstrip()
            continue
        if name in ("by", "bysort", "version", "frame"):
            colon = top_level_colon(rest, m.end(1))
            if colon < 0:
                break
            prefixes.append(name)
            rest = rest[colon + 1 :].lstrip()
            continue
        break
    return prefixes, rest


def mask_strings(text: str) -> str:
    """``text`` with the characters of every string literal (simple and compound) replaced by NUL, same length."""
    return re.sub(r'`"(?:(?!"\').)*"\'|"[^"]*"', lambda m: "\0" * len(m.group()), text)


__all__ = ["Command", "mask_strings", "split_commands", "strip_prefixes", "top_level_colon"]
