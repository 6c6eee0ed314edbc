"""Macros a piece of code defines for itself, followed statement by statement so references can be resolved.

Static and conservative: a ``local``/``global`` whose value is a literal (or built from macros already known)
is remembered; anything computed (``local x = ...`` other than a string, a macro never set here) stays
unknown, and :meth:`MacroScope.expand` answers None for text that still refers to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .operands import unquote

_MACRO_DEF = re.compile(r"\s*(local|loc|loca|global|gl|glo|glob|globa)\s+([A-Za-z_]\w*)\s*(=)?\s*(.*)\Z", re.S)
_TEMP_DEF = re.compile(r"\s*(tempfile|tempname|tempvar)\s+(.*)\Z", re.S)
_LOCAL_REF = re.compile(r"`([A-Za-z_]\w*)'")
_GLOBAL_REF = re.compile(r"\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)")


@dataclass(slots=True)
class MacroScope:
    """The known values of locals and globals, and the names declared ``tempfile``."""

    locals: dict[str, str] = field(default_factory=dict)
    globals: dict[str, str] = field(default_factory=dict)
    temps: set[str] = field(default_factory=set)

    def substitute(self, text: str) -> str:
        """Substitute the macros whose value is known, leaving other references as they are."""
        for _ in range(4):
            if "`" not in text and "$" not in text:
                break
            new = _LOCAL_REF.sub(lambda m: self.locals.get(m.group(1), m.group(0)), text)
            new = _GLOBAL_REF.sub(lambda m: self.globals.get(m.group(1) or m.group(2), m.group(0)), new)
            if new == text:
                break
            text = new
        return text

    def expand(self, text: str) -> str | None:
        """Fully expand ``text``; None if any macro reference stays unknown."""
        text = self.substitute(text)
        return None if ("`" in text or "$" in text) else text

    def is_temp(self, raw: str) -> bool:
        """Whether ``raw`` is a ``tempfile`` macro (a path in Stata's temporary directory)."""
        m = _LOCAL_REF.match(unquote(raw))
        return m is not None and m.group(1) in self.temps

    def track(self, text: str) -> None:
        """Follow a ``local``/``global``/``tempfile``/``tempname``/``tempvar`` statement (prefixes stripped)."""
        t = _TEMP_DEF.match(text)
        if t is not None:
            if t.group(1) == "tempfile":
                self.temps.update(re.findall(r"[A-Za-z_]\w*", t.group(2)))
            return
        m = _MACRO_DEF.match(text)
        if m is None:
            return
        kind, name, eq, value = m.groups()
        store = self.locals if kind.startswith("l") else self.globals
        value = value.strip()
        if eq:
            value = value.strip()
            if not (value.startswith('"') and value.endswith('"')):
                store.pop(name, None)
                return
        expanded = self.expand(unquote(value))
        if expanded is None:
            store.pop(name, None)
        else:
            store[name] = expanded
        self.temps.discard(name)


__all__ = ["MacroScope"]
