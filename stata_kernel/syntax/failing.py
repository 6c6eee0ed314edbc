"""Which command of a cell failed, from Stata's echo of the code it ran like a do-file.

Multi-line code is run like a do-file, so Stata echoes each top-level command (``. cmd``, ``> `` for
continuation lines; loop and block bodies as numbered lines). The echoes before the final ``r(N);`` are
aligned with the logical commands of the code (:func:`split_commands`, which knows comments, ``///`` and
blocks); the last one matched is the failing command. Inside a block (a loop body) the echo only says
which block, so the body is searched for the name the message mentions (``variable x not found``);
failing that, the block's opening line is reported. Single-command code needs no echo.

The kernel runs this on the raw output (echo included, even when it hides the echo from the cell) and
sends the result as data; the bridge runs it only for a kernel that sends no such facts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .split import split_commands

_ECHO_LINES = re.compile(r"^\. (.*?)\r?$", re.MULTILINE)
_FIRST_WORD = re.compile(r"[^\s,:({]+")
_NAMED = (
    re.compile(r"variable (\S+) not found"),
    re.compile(r"command (\S+) is unrecognized"),
    re.compile(r"^(\S+) not found"),
    re.compile(r"^(\S+) ambiguous abbreviation"),
    re.compile(r"file (.+?) (?:not found|could not be opened)"),
)


@dataclass(frozen=True)
class Located:
    command: str
    line: int


def locate(
    code: str, output: str, message: str = "", echoes: Sequence[tuple[int, str]] | None = None
) -> Located | None:
    """The command that failed last in ``output`` (see the module docstring), or None if unknown.

    ``echoes`` (from :func:`echoes_in`, cut to those before the error) saves rescanning a long log
    when locating several errors in it; ``output`` is then not read.
    """
    try:
        commands = split_commands(code)
    except Exception:  # a scanner bug must never cost the run its result
        return None
    if not commands:
        return None
    if len(commands) == 1:
        return Located(commands[0].text, commands[0].line)
    top = [i for i, c in enumerate(commands) if c.depth == 0 and not c.text.lstrip().startswith("}")]
    found_echoes = echoes_in(output) if echoes is None else echoes
    last = _last_echoed(top, commands, [text for _, text in found_echoes])
    name = _named(message)
    if last is None:
        found = _mentioning(name, range(len(commands)), commands)
        return Located(commands[found].text, commands[found].line) if found is not None else None
    body = [i for i in range(last + 1, len(commands)) if _inside(i, last, commands)]
    found = _mentioning(name, body, commands) if body else None
    chosen = commands[found if found is not None else last]
    return Located(chosen.text, chosen.line)


def echoes_in(output: str) -> list[tuple[int, str]]:
    """(offset, first line) of the commands Stata echoed; comments, ``#delimit`` and the final prompt left out."""
    found: list[tuple[int, str]] = []
    for match in _ECHO_LINES.finditer(output):
        text = match.group(1).strip()
        if text and not text.startswith(("*", "//", "/*", "#")):
            found.append((match.start(), text))
    return found


def word_of(text: str) -> str:
    match = _FIRST_WORD.match(text.strip())
    return match.group(0).lower() if match else ""


def _last_echoed(top: list[int], commands: Sequence[Any], echoed: Sequence[str]) -> int | None:
    """Index (in ``commands``) of the last top-level command among the ``echoed`` ones."""
    last: int | None = None
    position = 0
    for echo in echoed:
        word = word_of(echo)
        # An echo matches the next expected command, or one a little further (an unforeseen echo).
        for j in range(position, min(position + 3, len(top))):
            if word_of(commands[top[j]].text) == word:
                last = top[j]
                position = j + 1
                break
    return last


def _inside(index: int, opener: int, commands: Sequence[Any]) -> bool:
    parent = commands[index].parent
    while parent is not None:
        if parent == opener:
            return True
        parent = commands[parent].parent
    return False


def _named(message: str) -> str | None:
    for pattern in _NAMED:
        match = pattern.search(message.strip())
        if match:
            return match.group(1).strip('"')
    return None


def _mentioning(name: str | None, indices: Sequence[int] | range, commands: Sequence[Any]) -> int | None:
    if not name:
        return None
    word = re.compile(r"(?<![\w`$.])" + re.escape(name) + r"(?![\w'])")
    return next((i for i in indices if word.search(commands[i].text)), None)




__all__ = ["Located", "echoes_in", "locate", "word_of"]
