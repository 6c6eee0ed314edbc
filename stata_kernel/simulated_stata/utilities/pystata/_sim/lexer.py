"""Split Stata source into statements: comments, ``///`` continuation and ``#delimit``.

Each statement keeps the physical lines it came from, because do-file echo shows them as typed
(``. first line`` then ``> continuation``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SPECIAL = re.compile(r'[/"`]')
_DELIMIT_RE = re.compile(r"^\s*#d(?:e(?:l(?:i(?:m(?:i(?:t)?)?)?)?)?)?\b\s*(.*)$")


@dataclass
class Stmt:
    text: str  # comments removed, continuation lines joined; macros not yet expanded
    lines: list[str] = field(default_factory=list)  # physical lines, for echo
    lineno: int = 1  # 1-based line of the first physical line
    delimit: str | None = None  # set for a `#delimit` statement: ";" or "cr"

    @property
    def is_empty(self) -> bool:
        return self.delimit is None and not self.text.strip()


class _Scanner:
    """Removes comments from text, tracking strings and nested /* */ across calls."""

    def __init__(self) -> None:
        self.comment_depth = 0

    def strip(self, line: str, at_stmt_start: bool) -> tuple[str, bool]:
        """Return (code without comments, continues) for one physical line."""
        out: list[str] = []
        i, n = 0, len(line)
        in_str = False  # inside "..."
        compound = 0  # depth of `"..."'
        if at_stmt_start and self.comment_depth == 0 and line.lstrip().startswith("*"):
            return "", line.rstrip().endswith("///")
        if self.comment_depth == 0 and not _SPECIAL.search(line):
            return line, False  # fast path: nothing that could start a string or a comment
        while i < n:
            c = line[i]
            if self.comment_depth:
                if line.startswith("*/", i):
                    self.comment_depth -= 1
                    i += 2
                elif line.startswith("/*", i):
                    self.comment_depth += 1
                    i += 2
                else:
                    i += 1
                continue
            if in_str:
                out.append(c)
                if c == '"':
                    in_str = False
                i += 1
                continue
            if compound:
                if line.startswith('`"', i):
                    compound += 1
                    out.append('`"')
                    i += 2
                    continue
                if line.startswith("\"'", i):
                    compound -= 1
                    out.append("\"'")
                    i += 2
                    continue
                out.append(c)
                i += 1
                continue
            if line.startswith('`"', i):
                compound = 1
                out.append('`"')
                i += 2
                continue
            if c == '"':
                in_str = True
                out.append(c)
                i += 1
                continue
            if line.startswith("/*", i):
                self.comment_depth += 1
                i += 2
                continue
            if line.startswith("//", i) and (i == 0 or line[i - 1] in " \t"):
                if line.startswith("///", i):
                    return "".join(out), True
                return "".join(out), False
            out.append(c)
            i += 1
        return "".join(out), False


def split_statements(code: str, do_file: bool) -> list[Stmt]:
    """Turn code into statements.

    Only do-files know ``//``, ``/* */``, ``///`` and ``#delimit``; interactively (single-line code) Stata
    accepts just ``*`` comments, so ``display 1 // note`` or ``#delimit ;`` fail there, as with real pystata.
    """
    if not do_file:
        line = code.strip()
        text = "" if line.startswith("*") else line
        return [Stmt(text=text, lines=[line], lineno=1)] if line else []
    lines = code.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    scanner = _Scanner()
    stmts: list[Stmt] = []
    delim = "cr"
    pending: Stmt | None = None
    pending_text: list[str] = []

    for idx, raw in enumerate(lines, start=1):
        if pending is None and scanner.comment_depth == 0:
            m = _DELIMIT_RE.match(raw)
            if m:
                arg = m.group(1).strip().rstrip(";").strip() if delim == ";" else m.group(1).strip()
                # Stata treats anything other than `cr` (or nothing) as `;`.
                delim = "cr" if arg in ("cr", "") else ";"
                stmts.append(Stmt(text="", lines=[raw], lineno=idx, delimit=delim))
                continue
        if pending is None:
            pending = Stmt(text="", lines=[], lineno=idx)
            pending_text = []
        at_start = not "".join(pending_text).strip() and not pending.lines
        pending.lines.append(raw)
        if delim == "cr":
            code_part, continues = scanner.strip(raw, at_start)
            pending_text.append(code_part)
            if continues or scanner.comment_depth:
                pending_text.append(" ")
                continue
            pending.text = "".join(pending_text).strip()
            stmts.append(pending)
            pending = None
            continue
        # `#delimit ;` mode: a statement ends at ";" outside strings and comments.
        code_part, _ = scanner.strip(raw, False)  # `*` comments run to the next ";" here
        pos = 0
        while True:
            semi = _find_semicolon(code_part, pos)
            if semi < 0:
                pending_text.append(code_part[pos:] + " ")
                break
            pending_text.append(code_part[pos:semi])
            text = "".join(pending_text).strip()
            if not text.startswith("*"):
                pending.text = text
            stmts.append(pending)
            rest = code_part[semi + 1 :]
            pending = Stmt(text="", lines=[], lineno=idx)
            pending_text = []
            pos = 0
            code_part = rest
            if not rest.strip():
                pending = None
                break
            pending.lines.append(rest.strip())
    if pending is not None:
        text = "".join(pending_text).strip()
        if text and delim == ";":
            pending.text = text  # an unterminated final statement still runs, like Stata at end of file
        elif delim == "cr":
            pending.text = text
        stmts.append(pending)
    return stmts


def _find_semicolon(text: str, start: int) -> int:
    in_str = False
    compound = 0
    i = start
    while i < len(text):
        c = text[i]
        if in_str:
            in_str = c != '"'
        elif compound:
            if text.startswith('`"', i):
                compound += 1
                i += 1
            elif text.startswith("\"'", i):
                compound -= 1
                i += 1
        elif text.startswith('`"', i):
            compound = 1
            i += 1
        elif c == '"':
            in_str = True
        elif c == ";":
            return i
        i += 1
    return -1
