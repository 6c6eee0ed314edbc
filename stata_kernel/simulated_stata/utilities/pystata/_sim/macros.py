"""Macro expansion: `local', `=exp', `++i', `r(name)', $global and ${global}."""

from __future__ import annotations

import re
from collections.abc import Callable

_INNERMOST_RE = re.compile(r"`(?!\")([^`']*)'")
_GLOBAL_RE = re.compile(r"\$(\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


class MacroExpander:
    """Expands macros innermost-first, the way Stata does before a command is parsed."""

    def __init__(
        self,
        local: Callable[[str], str],
        set_local: Callable[[str, str], None],
        global_: Callable[[str], str],
        evaluate: Callable[[str], str],
        special: Callable[[str], str | None],
        extended: Callable[[str], str],
    ) -> None:
        self._local = local
        self._set_local = set_local
        self._global = global_
        self._evaluate = evaluate
        self._special = special
        self._extended = extended

    def expand(self, text: str) -> str:
        if "`" in text:
            text = self._expand_locals(text)
        if "$" in text:
            text = _GLOBAL_RE.sub(lambda m: self._global(m.group(2) or m.group(3)), text)
        return text

    def _resolve(self, inner: str) -> str:
        if inner.startswith("="):
            return self._evaluate(inner[1:])
        if inner.startswith(":"):
            return self._extended(inner[1:].strip())
        if inner.startswith("++") or inner.startswith("--"):
            name = inner[2:]
            value = _bump(self._local(name), 1 if inner[0] == "+" else -1)
            self._set_local(name, value)
            return value
        if inner.endswith("++") or inner.endswith("--"):
            name = inner[:-2]
            old = self._local(name)
            self._set_local(name, _bump(old, 1 if inner[-1] == "+" else -1))
            return old
        special = self._special(inner)
        if special is not None:
            return special
        return self._local(inner.strip())

    def _expand_locals(self, text: str) -> str:
        # Replace the innermost `...' (no backquote inside) until none is left; `"..."' compound quotes
        # start with a backquote followed by a double quote and are not macros.
        while True:
            m = _INNERMOST_RE.search(text)
            if m is None:
                return text
            text = text[: m.start()] + self._resolve(m.group(1)) + text[m.end() :]


def _bump(value: str, delta: int) -> str:
    try:
        number = float(value) if value.strip() else 0.0
    except ValueError:
        number = 0.0
    return number_to_macro(number + delta)


def number_to_macro(x: float) -> str:
    """How a numeric result is stored in a macro (full precision, no leading zero)."""
    from .fmt import is_missing, missing_text

    if is_missing(x):
        return missing_text(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    s = repr(x)
    if s.startswith("0."):
        s = s[1:]
    elif s.startswith("-0."):
        s = "-" + s[2:]
    return s
