"""Code that would make Stata wait for a console line, which a kernel never sends.

A headless Stata has no console: ``_request()`` and ``more`` under ``set more on`` wait forever, and
pystata turns a one-line ``mata``/``python`` into a loop calling ``input()``. The kernel answers these
with one clear error instead of a cell that never finishes. ``pause`` is handled differently (stata-live
puts its own ``pause.ado`` first on the adopath, so do-files that use it keep working).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexer import CR
from .split import mask_strings, split_commands, strip_prefixes

_INTERACTIVE = re.compile(r"^(mata|python)\s*(:?)\s*$")
_REQUEST = re.compile(r"\b_request\s*\(")
_SET_MORE_ON = re.compile(r"^set\s+more\s+on\b")
_CANDIDATE = re.compile(r"mata|python|_request|more")  # no statement can wait without one of these


@dataclass(frozen=True)
class ConsoleWait:
    """Why the code would wait for a console: ``command`` as written, its 1-based ``line``, and advice."""

    command: str
    line: int
    advice: str


def _interactive_advice(language: str, colon: str) -> str:
    opener = f"{language}{colon}"
    example = "x = 2\n    x * 21" if language == "mata" else "x = 2\n    print(x * 21)"
    return (
        f"`{opener}` on a line by itself opens an interactive {language.capitalize()} session, which reads "
        "a console; a kernel has none. Write the whole block in one cell:\n"
        f"    {opener}\n    {example}\n    end\n"
        f"or run a single statement with `{language}: <statement>`."
    )


def console_wait(code: str, delimiter: str = CR) -> ConsoleWait | None:
    """The first statement of ``code`` that would wait for a console, or None.

    A one-line ``mata``/``python`` counts only when it is the whole code: inside several lines it opens
    a block that ends at ``end``, as in any do-file.
    """
    if not _CANDIDATE.search(code):
        return None
    commands = split_commands(code, delimiter)
    if len(commands) == 1:
        _, rest = strip_prefixes(commands[0].text)
        match = _INTERACTIVE.match(rest.strip())
        if match and "\n" not in code.strip():
            return ConsoleWait(rest.strip(), commands[0].line, _interactive_advice(match.group(1), match.group(2)))
    for command in commands:
        _, rest = strip_prefixes(command.text)
        unquoted = mask_strings(rest)
        if _REQUEST.search(unquoted):
            return ConsoleWait(command.text.strip(), command.line,
                               "`_request()` reads a line typed at Stata's console; a kernel has none. "
                               "Set the value in a local or global macro instead.")
        if _SET_MORE_ON.match(rest.strip()):
            return ConsoleWait(command.text.strip(), command.line,
                               "`set more on` makes Stata wait for a key press at `more` and at every full "
                               "screen; a kernel has no console, so output is never paged here.")
    return None


__all__ = ["ConsoleWait", "console_wait"]
