"""Magic lines at the top of a cell: which lines are ``%name``/``%%name`` magics and which are Stata code.

Text only: what each magic does lives in :mod:`stata_kernel.magics` (the kernel); the bridge's policy reads
:func:`stata_code_of` to see the Stata code a cell would make the kernel run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MAGIC_LINE = re.compile(r"\s*(%%?)([A-Za-z_]\w*)?(.*)", re.S)
# IPython-style help queries: `regress?`, `?regress`, `reg??`.
_HELP_QUERY = re.compile(r"\s*(?:\?{1,2}\s*([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*\?{1,2})\s*")


class MagicLineError(ValueError):
    """A ``%`` line at the top of a cell that names no magic."""


@dataclass(frozen=True)
class MagicCall:
    name: str
    args: str
    cell: bool


@dataclass(frozen=True)
class ParsedCell:
    line_magics: list[MagicCall]
    cell_magic: MagicCall | None
    code: str

    @property
    def has_magics(self) -> bool:
        return bool(self.line_magics) or self.cell_magic is not None


def split_magic_lines(code: str) -> ParsedCell:
    """Split leading magic lines off a cell; a cell without them comes back unchanged as ``code``."""
    if not code.lstrip().startswith("%"):
        return ParsedCell([], None, code)
    lines = code.split("\n")
    line_magics: list[MagicCall] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped:
            i += 1
            continue
        if not stripped.startswith("%"):
            break
        match = _MAGIC_LINE.fullmatch(stripped)
        assert match is not None
        marks, name, args = match.group(1), match.group(2), match.group(3).strip()
        if not name:
            raise MagicLineError(f"{stripped!r} is not a magic: type %help for the list")
        if marks == "%%":
            return ParsedCell(line_magics, MagicCall(name, args, True), "\n".join(lines[i + 1 :]))
        line_magics.append(MagicCall(name, args, False))
        i += 1
    return ParsedCell(line_magics, None, "\n".join(lines[i:]))


def stata_code_of(code: str) -> str:
    """The Stata code a cell makes the kernel run, line for line (magic lines become their code or blank).

    For checks that must see through magics, such as the MCP bridge's command policy: ``%quietly shell
    ...`` runs ``shell ...``. Line numbers are kept so a violation points at the cell's own line. The data
    views only read data (an ``if`` condition is evaluated by ``generate``, which runs no commands), so their
    lines count as blank. A cell the kernel would refuse (bad magic) is returned unchanged.
    """
    try:
        split_magic_lines(code)
    except MagicLineError:
        return code
    lines = code.split("\n")
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("%"):
            break  # the Stata code after the magics, unchanged
        match = _MAGIC_LINE.fullmatch(stripped) if stripped else None
        out.append(match.group(3).strip() if match and match.group(1) == "%" and match.group(2) == "quietly"
                   else "")
        if match and match.group(1) == "%%":
            break  # a cell magic: the rest of the cell is its body
    return "\n".join(out + lines[len(out):])


def help_query(code: str) -> str | None:
    """The topic of an IPython-style help query cell (``regress?``, ``?regress``), else None."""
    match = _HELP_QUERY.fullmatch(code)
    if match is None:
        return None
    return match.group(1) or match.group(2)


__all__ = ["MagicCall", "MagicLineError", "ParsedCell", "help_query", "split_magic_lines", "stata_code_of"]
