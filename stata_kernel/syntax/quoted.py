"""The nested lexemes the scanner jumps over: strings, compound strings, macro quotes, ``/* */`` comments.

Each skipper starts at an opening mark and returns where the lexeme ends; :func:`stata_kernel.syntax.lexer.scan`
calls them and keeps the statement-level state itself. ``Lines`` and ``Ahead`` are position helpers.
"""

from __future__ import annotations

import bisect
import re

from .scanned import CODE, COMPOUND, MACRO, STRING

_WS = " \t\r\f\v\n"
_STRING = re.compile(r'["`\n]')
_COMPOUND = re.compile(r'"\'|`|\n')
_MACRO = re.compile(r'[\'`"\n]')
_BLOCK = re.compile(r"/\*|\*/")


class Lines:
    """Offset → 1-based line number, by bisecting the newline offsets once."""

    __slots__ = ("_nl",)

    def __init__(self, code: str) -> None:
        self._nl = [m.start() for m in re.finditer("\n", code)]

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self._nl, offset) + 1


class Ahead:
    """Next newline / next ``'`` at or after a position, cached.

    The scanner moves forward, so each search covers a stretch of text once: a megabyte on one line full of
    strings or backticks stays linear instead of rescanning to the end of the line at every quote.
    """

    __slots__ = ("_ap", "_ap_from", "_code", "_n", "_nl", "_nl_from")

    def __init__(self, code: str) -> None:
        self._code = code
        self._n = len(code)
        self._nl = self._nl_from = self._ap = self._ap_from = -1

    def eol(self, i: int) -> int:
        """Offset of the next newline at or after ``i`` (len(code) if none)."""
        if not (self._nl_from <= i <= self._nl):
            j = self._code.find("\n", i)
            self._nl, self._nl_from = (self._n if j < 0 else j), i
        return self._nl

    def apostrophe_before_eol(self, i: int) -> bool:
        """Is there a ``'`` at or after ``i`` on the same line?"""
        if not (self._ap_from <= i <= self._ap):
            j = self._code.find("'", i)
            self._ap, self._ap_from = (self._n if j < 0 else j), i
        return self._ap < self.eol(i)


def blank_before(code: str, i: int) -> bool:
    return i == 0 or code[i - 1] in _WS


def skip_block(code: str, i: int) -> tuple[int, int]:
    """Skip a nested ``/* */`` comment starting at ``i``; return (end offset, depth left open at EOF).

    A ``*/`` that is immediately followed by ``*`` also opens a new comment (``*/*``), as Stata does.
    """
    depth = 1
    pos = i + 2
    search = _BLOCK.search
    while True:
        m = search(code, pos)
        if m is None:
            return len(code), depth
        if m.group() == "/*":
            depth += 1
            pos = m.end()
        else:
            depth -= 1
            if code.startswith("*", m.end()):  # '*/*': the '/' also opens a comment
                depth += 1
                pos = m.end() + 1
            elif depth == 0:
                return m.end(), 0
            else:
                pos = m.end()


def skip_quoted(code: str, i: int, ahead: Ahead) -> tuple[int, bool, str, int]:
    """Skip the string or macro reference opening at ``i``.

    Returns (offset after it, closed properly, innermost state if input ended inside it, where that began).
    A string that reaches a newline is unterminated (Stata strings never span lines); the newline is left for
    the caller. A backtick with no ``'`` later on its line is a literal character.
    """
    eol = ahead.eol(i)
    c = code[i]
    stack: list[tuple[str, int]] = []
    if c == '"':
        stack.append((STRING, i))
        pos = i + 1
    elif code.startswith('`"', i):
        stack.append((COMPOUND, i))
        pos = i + 2
    else:  # backtick
        if not ahead.apostrophe_before_eol(i + 1):
            return i + 1, True, CODE, -1
        stack.append((MACRO, i))
        pos = i + 1
    while stack:
        kind, _ = stack[-1]
        rx = _STRING if kind == STRING else _COMPOUND if kind == COMPOUND else _MACRO
        m = rx.search(code, pos, eol)
        if m is None:
            ok = not any(k in (STRING, COMPOUND) for k, _ in stack)
            return eol, ok, stack[-1][0], stack[-1][1]
        t = m.group()
        p = m.start()
        if t == "\n":  # cannot happen (search stops at eol) but keep the invariant explicit
            return p, False, stack[-1][0], stack[-1][1]
        if t == "`":
            if code.startswith('"', p + 1) and kind != STRING:
                stack.append((COMPOUND, p))
                pos = p + 2
            elif not code.startswith('"', p + 1) and ahead.apostrophe_before_eol(p + 1):
                stack.append((MACRO, p))
                pos = p + 1
            else:
                pos = p + 1
            continue
        if kind == STRING:  # t == '"'
            stack.pop()
            pos = p + 1
            continue
        if kind == COMPOUND:  # t == "\"'"
            stack.pop()
            pos = p + 2
            continue
        # macro
        if t == "'":
            stack.pop()
            pos = p + 1
        else:  # '"' inside a macro opens a string
            stack.append((STRING, p))
            pos = p + 1
    return pos, True, CODE, -1
