"""Command registry with Stata-style minimal abbreviations, and option/syntax helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import StataError

if TYPE_CHECKING:
    from .interp import Interpreter

Handler = Callable[["Interpreter", str], None]


@dataclass
class Command:
    name: str
    min_abbrev: int
    handler: Handler


class Registry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}

    def add(self, name: str, handler: Handler, min_abbrev: int | None = None) -> None:
        self._commands[name] = Command(name, min_abbrev or len(name), handler)

    def lookup(self, word: str) -> Command | None:
        cmd = self._commands.get(word)
        if cmd is not None:
            return cmd
        for c in self._commands.values():
            if len(word) >= c.min_abbrev and c.name.startswith(word):
                return c
        return None

    def names(self) -> list[str]:
        return sorted(self._commands)


def matching_paren(text: str, i: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``i`` (``len(text)`` when it is never closed)."""
    depth = 0
    j = i
    while j < len(text):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth == 0:
                break
        j += 1
    return j


_CMD_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(.*)$", re.S)


def split_command(text: str) -> tuple[str, str]:
    m = _CMD_RE.match(text)
    if m is None:
        # Stata: `// x` -> "/ is not a valid command name", `#delimit ;` typed interactively -> "# ..."
        raise StataError(199, f"{text.strip()[:1]} is not a valid command name")
    return m.group(1), m.group(2)


@dataclass
class Syntax:
    """`[anything] [if exp] [in range] [, options]` split apart (not yet evaluated)."""

    anything: str = ""
    if_exp: str | None = None
    in_range: str | None = None
    options: dict[str, str | None] = field(default_factory=dict)
    using: str | None = None


def _split_top_comma(text: str) -> tuple[str, str | None]:
    depth = 0
    in_str = False
    for i, c in enumerate(text):
        if c == '"':
            in_str = not in_str
        elif in_str:
            continue
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            return text[:i], text[i + 1 :]
    return text, None


def parse_options(text: str) -> dict[str, str | None]:
    opts: dict[str, str | None] = {}
    i = 0
    text = text.strip()
    while i < len(text):
        while i < len(text) and text[i] in " \t,":
            i += 1
        m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[i:])
        if m is None:
            if i < len(text):
                raise StataError(198, "invalid syntax")
            break
        name = m.group()
        i += len(name)
        if i < len(text) and text[i] == "(":
            j = matching_paren(text, i)
            opts[name] = text[i + 1 : j].strip()
            i = j + 1
        else:
            opts[name] = None
    return opts


def option(opts: dict[str, str | None], full: str, min_abbrev: int | None = None) -> tuple[bool, str | None]:
    """Find an option by its full name or an allowed abbreviation."""
    need = min_abbrev or len(full)
    for key, value in opts.items():
        if len(key) >= need and full.startswith(key):
            return True, value
    return False, None


def check_options(opts: dict[str, str | None], allowed: list[tuple[str, int]]) -> None:
    for key in opts:
        if not any(len(key) >= n and full.startswith(key) for full, n in allowed):
            raise StataError(198, f"option {key} not allowed")


def parse_syntax(args: str) -> Syntax:
    main, opt_text = _split_top_comma(args)
    syn = Syntax(options=parse_options(opt_text) if opt_text is not None else {})
    m = re.search(r"(?:^|\s)using\s+(\"[^\"]*\"|\S+)", main)
    if m:
        syn.using = m.group(1).strip('"')
        main = main[: m.start()] + " " + main[m.end() :]
    # `in` range, then `if` expression (either order in Stata; we accept both).
    m_in = re.search(r"(?:^|\s)in\s+(\S+)", main)
    if m_in:
        syn.in_range = m_in.group(1)
        main = main[: m_in.start()] + " " + main[m_in.end() :]
    m_if = re.search(r"(?:^|\s)if\s+(.*)$", main)
    if m_if:
        syn.if_exp = m_if.group(1).strip()
        main = main[: m_if.start()]
    syn.anything = main.strip()
    return syn
