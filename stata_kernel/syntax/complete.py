"""Jupyter ``is_complete`` for Stata source: answered from the text alone, never by asking Stata.

jupyter console stops asking after one slow reply, so this must stay pure text and fast.
"""

from __future__ import annotations

from .lexer import SEMI, scan

COMPLETE = "complete"
INCOMPLETE = "incomplete"
INVALID = "invalid"

INDENT_UNIT = "    "


def is_complete(code: str, delimiter: str = "cr") -> tuple[str, str]:
    """Return (``"complete"|"incomplete"|"invalid"``, indent for the next line).

    ``delimiter`` is the ``#delimit`` mode in force before ``code`` (the kernel tracks it across cells).

    * ``invalid``: an unmatched ``}`` or an unterminated string anywhere. Stata rejects both and no further
      input can repair them (strings never continue onto the next line), so the frontend should submit now and
      let Stata report the error.
    * ``incomplete``: an open ``{`` block, an open ``/* */`` comment, a trailing ``///`` (also on a ``*``
      comment), or, under ``#delimit ;`` in force at the end, a last statement (or ``*`` comment) without its
      terminating ``;``. The indent is four blanks per open brace.
    * ``complete`` otherwise (including empty input).
    """
    result = scan(code, delimiter)
    if result.errors:
        return INVALID, ""
    if (
        result.comment_depth
        or result.continued
        or result.depth > 0
        or (result.delimiter == SEMI and result.pending)
    ):
        return INCOMPLETE, INDENT_UNIT * result.depth
    return COMPLETE, ""
