"""Removing pystata's command echo from streamed output, without waiting for whole lines.

pystata runs multi-line code as an included do-file, so Stata echoes every command as ``. command``
(continuations ``> ...``, loop and program bodies as numbered lines ``  2. ...``) and separates commands
with a blank line, exactly as a Stata log does. The kernel keeps these echoes by default (output stays
attributable to its command, as in a log); ``%%noecho`` / ``%set echo off`` route output through
:class:`EchoFilter`.

The filter sees arbitrary pieces (not lines) and must not delay output: it holds back only the start of
a line until it can tell whether the line is an echo (usually one or two characters), then passes the
rest of an output line straight through. Blank lines are held until the next line shows whether they
were separators (dropped before an echo) or output.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_START, _OUTPUT, _ECHO = 0, 1, 2
_NUMBERED = re.compile(r"[ \t]*\d+\.(?:[ \t]|\n|$)")
_NUMBERED_PREFIX = re.compile(r"[ \t]*\d*\.?")
_PROGRAM_DEFINE = re.compile(
    r"\s*(?:(?:cap|capt|captu|captur|capture|qui|quie|quiet|quietl|quietly)\s+)*"
    r"pr(?:o|og|ogr|ogra|ogram)?\s+(?!drop\b|dir\b|l\b|li\b|lis\b|list\b)(?:def\w*\s+)?\w"
)
_MAX_NUMBERED_PREFIX = 16


def _brace_balance(text: str) -> int:
    """Opening minus closing braces outside double-quoted strings (enough to follow echoed blocks)."""
    balance = 0
    in_string = False
    for ch in text:
        if ch == '"':
            in_string = not in_string
        elif not in_string and ch == "{":
            balance += 1
        elif not in_string and ch == "}":
            balance -= 1
    return balance


class EchoFilter:
    """Forwards output to ``sink`` minus the echo lines; feed it with :meth:`write`, end with :meth:`finish`.

    Only use it for multi-line code: single-line code is never echoed, and there a line of output that
    happens to start with ``. `` must be kept.
    """

    def __init__(self, sink: Callable[[str], None]) -> None:
        self._sink = sink
        self._mode = _START
        self._line = ""  # undecided start of the current line, or the echo line being dropped
        self._held_blanks = 0
        self._after_echo = False
        self._block_depth = 0  # > 0: numbered lines of an echoed {...} block are still coming
        self._in_program = False  # numbered lines of an echoed program definition, until "end"

    def write(self, text: str) -> None:
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            newline = text.find("\n", i)
            end = n if newline < 0 else newline + 1
            piece = text[i:end]
            i = end
            complete = piece.endswith("\n")
            if self._mode == _OUTPUT:
                out.append(piece)
                if complete:
                    self._mode = _START
                continue
            self._line += piece
            if self._mode == _ECHO:
                if complete:
                    self._end_echo_line()
                continue
            self._decide(out, complete)
        if out:
            self._sink("".join(out))

    def finish(self) -> None:
        """End of run: an undecided line start is output; held separator blank lines are dropped."""
        if self._mode == _START and self._line:
            self._sink(self._line)
        self._line = ""
        self._held_blanks = 0
        self._mode = _START

    # ------------------------------------------------------------------------------------------

    def _decide(self, out: list[str], complete: bool) -> None:
        line = self._line
        if line == "\n":
            self._held_blanks += 1
            self._line = ""
            self._after_echo = False
            return
        verdict = self._classify(line, complete)
        if verdict is None:
            return  # wait for more characters of this line
        if verdict == _ECHO:
            self._held_blanks = 0  # a blank line before an echo is Stata's separator
            self._mode = _ECHO
            if complete:
                self._end_echo_line()
            return
        if self._held_blanks:
            out.append("\n" * self._held_blanks)
            self._held_blanks = 0
        out.append(line)
        self._line = ""
        self._after_echo = False
        self._block_depth = 0
        self._in_program = False
        self._mode = _START if complete else _OUTPUT

    def _classify(self, line: str, complete: bool) -> int | None:
        if line.startswith(". "):
            return _ECHO
        if line == ".":
            return None
        if self._after_echo:
            if line.startswith("> "):
                return _ECHO
            if line == ">":
                return None
            if self._block_depth > 0 or self._in_program:
                if _NUMBERED.match(line):
                    return _ECHO
                if (not complete and len(line) < _MAX_NUMBERED_PREFIX
                        and _NUMBERED_PREFIX.fullmatch(line)):
                    return None
        return _OUTPUT

    def _end_echo_line(self) -> None:
        text = self._line.rstrip("\n")
        self._line = ""
        self._mode = _START
        if text.startswith(". "):
            body = text[2:]
            self._block_depth = max(0, _brace_balance(body))
            self._in_program = bool(_PROGRAM_DEFINE.match(body)) and self._block_depth == 0
        elif text.startswith("> "):
            self._block_depth = max(0, self._block_depth + _brace_balance(text[2:]))
        else:
            match = _NUMBERED.match(text)
            body = text[match.end():] if match else text
            if self._in_program:
                if body.strip() == "end":
                    self._in_program = False
            else:
                self._block_depth = max(0, self._block_depth + _brace_balance(body))
        self._after_echo = True


class PromptTrimmer:
    """With echo kept, drops only the ``. `` prompt Stata prints when the included do-file ends.

    Holds back at most a line that could be that prompt (``.``, ``. ``, ``. \\n`` at a line start) until
    more output shows it was not the end; everything else passes at once.
    """

    _PROMPT_PREFIXES = (".", ". ", ". \n")

    def __init__(self, sink: Callable[[str], None]) -> None:
        self._sink = sink
        self._held = ""
        self._at_line_start = True

    def write(self, text: str) -> None:
        if not text:
            return
        text = self._held + text
        self._held = ""
        body = text[:-1] if text.endswith("\n") else text
        cut = body.rfind("\n") + 1
        last = text[cut:]
        if (cut > 0 or self._at_line_start) and last in self._PROMPT_PREFIXES:
            self._held = last
            text = text[:cut]
            if cut > 0:
                self._at_line_start = True
        else:
            self._at_line_start = text.endswith("\n")
        if text:
            self._sink(text)

    def finish(self) -> None:
        if self._held == ".":
            self._sink(self._held)
        self._held = ""
        self._at_line_start = True
