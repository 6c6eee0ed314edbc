"""A little SMCL, enough for what pystata and sfi display (``{hline 49} mata (type {cmd:end} to exit) {hline}``).

Stata renders SMCL before text reaches its output buffer, so readers only ever see plain text.
"""

from __future__ import annotations

import re

LINE_WIDTH = 78  # where a bare {hline} ends (the rule Stata draws around Mata/Python blocks)
_DIRECTIVE = re.compile(r"\{(\w+)(?:\s+(\d+))?(?::([^{}]*))?\}")
_STYLES = {"txt", "text", "res", "result", "err", "error", "inp", "input", "cmd", "bf", "it", "sf", "hi"}


def render(text: str, column: int = 0) -> str:
    """Plain text of ``text``; ``column`` is where the output stands (a bare {hline} runs to LINE_WIDTH)."""
    out: list[str] = []
    pos = 0
    col = column
    for match in _DIRECTIVE.finditer(text):
        plain = text[pos : match.start()]
        out.append(plain)
        col = _advance(col, plain)
        name, count, arg = match.group(1), match.group(2), match.group(3)
        if name == "hline":
            piece = "-" * (int(count) if count else max(0, LINE_WIDTH - col))
        elif name in _STYLES:
            piece = arg or ""
        else:
            piece = match.group(0)  # not SMCL the simulator knows: shown as written
        out.append(piece)
        col = _advance(col, piece)
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def _advance(col: int, text: str) -> int:
    nl = text.rfind("\n")
    return len(text) - nl - 1 if nl >= 0 else col + len(text)
