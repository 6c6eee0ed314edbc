"""A command's operands as Stata reads them: arguments, options, and which of them name files it writes.

The parser behind the bridge's policy (``mcp_bridge.policy_rules``): it says what a statement writes to, the
policy decides whether that is allowed. Paths come back as written, quotes kept (see :func:`unquote`).
"""

from __future__ import annotations

import re

from .split import mask_strings

_TOKEN = re.compile(r"""\s*(`"(?:(?!"').)*"'|"[^"]*"|[^\s,"]+)""")
_SAVING = re.compile(r"\b(?:saving|export)\s*\(\s*(`\"(?:(?!\"').)*\"'|\"[^\"]*\"|[^,)\s]+)")


def split_args(text: str) -> tuple[list[str], str]:
    """Split arguments at the first top-level comma: (tokens before it, quotes kept; options text)."""
    comma = top_level_comma(text)
    head, options = (text, "") if comma < 0 else (text[:comma], text[comma + 1 :])
    return [m.group(1) for m in _TOKEN.finditer(head)], options


def top_level_comma(text: str) -> int:
    """Offset of the first ``,`` outside strings and parentheses; -1 if none."""
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = text.find('"', i + 1)
            i = n if j < 0 else j + 1
            continue
        if text.startswith('`"', i):
            j = text.find("\"'", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif c == "," and depth == 0:
            return i
        i += 1
    return -1


def unquote(token: str) -> str:
    """A token without its ``"..."`` or `` `"..."' `` quotes."""
    if token.startswith('`"') and token.endswith("\"'") and len(token) >= 4:
        return token[2:-2]
    if token.startswith('"') and token.endswith('"') and len(token) >= 2:
        return token[1:-1]
    return token


def first_arg(args: str) -> str | None:
    """The first argument, unquoted (None when there is none)."""
    tokens, _ = split_args(args)
    return unquote(tokens[0]) if tokens else None


def _after(tokens: list[str], word: str) -> str | None:
    for k, t in enumerate(tokens[:-1]):
        if t == word:
            return tokens[k + 1]
    return None


def write_targets(cmd: str, args: str) -> list[str]:
    """File or directory names that ``cmd`` (canonical name) writes to, or moves into for ``cd``; quotes kept."""
    tokens, options = split_args(args)
    using = _after(tokens, "using")
    sub = tokens[0] if tokens else ""
    if cmd in ("cd", "chdir"):
        return [tokens[0] if tokens else "~"]
    if cmd in ("save", "saveold", "mkdir"):
        return tokens[:1]
    if cmd in ("copy", "translate", "filefilter"):
        return tokens[1:2]
    if cmd in ("outsheet", "outfile", "postfile"):
        return [using] if using else tokens[-1:]
    if cmd == "export":
        return [using] if using else tokens[1:2]
    if cmd in ("log", "cmdlog"):
        return [using] if using else []
    if cmd == "graph" and sub in ("export", "save", "exp", "expo", "expor", "sav"):
        return tokens[-1:] if len(tokens) > 1 else []
    if cmd in ("putexcel", "putdocx", "putpdf"):
        if sub in ("set", "save") and len(tokens) > 1:
            return tokens[1:2]
        return [using] if using else []
    if cmd == "collect" and sub in ("export", "save"):
        return tokens[1:2]
    if cmd == "estimates" and sub in ("save", "sav"):
        return tokens[1:2]
    if cmd == "file" and sub == "open" and re.search(r"\b(write|append|rw|replace)\b", options):
        return [using] if using else []
    return []


def saving_targets(text: str) -> list[str]:
    """Paths of ``saving(...)``/``export(...)`` options in ``text``, quotes kept; those inside strings
    (a ``title("saving(x)")``) are text, not options."""
    masked = mask_strings(text)
    return [m.group(1) for m in _SAVING.finditer(text) if masked[m.start()] != "\0"]


__all__ = ["first_arg", "saving_targets", "split_args", "top_level_comma", "unquote", "write_targets"]
