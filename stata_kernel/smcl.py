"""Stata help files (``.sthlp``, SMCL) as plain text, read straight from the installation.

Real Stata with a GUI answers ``help regress`` by opening its Viewer, so through pystata it succeeds and
prints nothing. The help files sit in the installation (``ado/base/r/regress.sthlp``), so the kernel reads
them directly: no Stata command runs, no window opens, no stored results change (``findfile`` would
overwrite ``r()``). The conversion keeps the words and drops the markup; it is for reading, not layout.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_DIRECTIVE = re.compile(r"\{([^{}]*)\}")  # innermost {...}
_OPEN, _CLOSE = "\ue000", "\ue001"  # literal braces, kept out of the directive matching until the end
_CHAR = {"-(": _OPEN, ")-": _CLOSE, "|": "|", "-": "-", "+": "+", "TLC": "+", "TRC": "+", "BLC": "+", "BRC": "+",
         "TT": "+", "BT": "+", "LT": "+", "RT": "+"}
_LINE_BREAKS = frozenset({"p_end", "break", "p2colreset", "synoptset", "synopthdr", "synoptline", "pstd",
                          "phang", "phang2", "pmore", "pin"})
_RULE = "-" * 78


def help_file(topic: str, stata_dir: str | None, home: str | None = None) -> Path | None:
    """Where Stata would find ``topic``'s help: updates, base, then the user's PLUS and PERSONAL dirs."""
    if not topic:
        return None
    letter = topic[0].lower() if topic[0].isalpha() else "_"
    home_dir = Path(home or os.path.expanduser("~"))
    dirs: list[Path] = []
    if stata_dir:
        base = Path(stata_dir) / "ado"
        dirs += [base / "updates" / letter, base / "base" / letter]
    dirs += [home_dir / "ado" / "plus" / letter, home_dir / "ado" / "personal", home_dir / "ado" / "personal" / letter]
    for directory in dirs:
        for ext in (".sthlp", ".hlp"):
            path = directory / f"{topic}{ext}"
            if path.is_file():
                return path
    return None


_PLACEHOLDERS = {"depvar": "depvar", "indepvars": "indepvars", "newvar": "newvar", "varname": "varname",
                 "varlist": "varlist", "ifin": "[if] [in]", "weight": "[weight]", "dtype": "[type]"}
_SHOWS_ARGUMENT = frozenset({"help", "helpb", "opt", "opth", "cmd", "it", "bf", "hi", "res", "txt", "sf", "ul",
                             "inp", "err", "result", "text", "input", "error", "var", "vars", "browse", "search"})
_HIDDEN = frozenset({"viewerjumpto", "vieweralsosee", "marker", "dialog", "smcl", "p2colset"})


def _directive(body: str) -> str:
    """Replacement text for one innermost ``{...}``."""
    if body.startswith("*"):
        return ""  # {* comment}
    name, colon, text = body.partition(":")
    word, _, args = name.strip().partition(" ")
    args = args.strip()
    if word in ("c", "char"):
        return _CHAR.get(args, "")
    if word == "hline":
        return _RULE if not args else "-" * min(int(args) if args.isdigit() else 20, 200)
    if word in _HIDDEN:
        return ""
    if word == "title":
        return f"\n{text.strip()}\n"
    if word in ("manhelp", "manhelpi"):
        parts = args.split()
        return f"[{parts[1]}] {parts[0]}" if len(parts) >= 2 else args
    if word == "dup":
        return text * min(int(args), 200) if args.isdigit() else text
    if colon:
        if word in ("opt", "opth"):
            return args + text  # {opt nocon:stant}: the underlined part, then the rest
        if word in ("synopt", "p2col"):
            return text + "  "  # first column of a two-column table
        if word == "syntab":
            return f"\n{text}"
        return text
    if word in _PLACEHOLDERS:
        return args or _PLACEHOLDERS[word]
    if word in _SHOWS_ARGUMENT:
        return args
    if word in ("space", "col", "tab"):
        return " "
    if word in _LINE_BREAKS or word in ("p", "synopt", "p2col", "syntab"):
        return "\n"
    return ""


def smcl_to_text(smcl: str) -> str:
    """SMCL source to readable plain text (markup dropped, words kept, blank runs squeezed)."""
    lines = [line for line in smcl.splitlines() if not line.lstrip().startswith(("{smcl}", "{* *!", "*!"))]
    text = "\n".join(lines)
    for _ in range(50):  # resolve innermost directives until none are left
        replaced = _DIRECTIVE.sub(lambda m: _directive(m.group(1)), text)
        if replaced == text:
            break
        text = replaced
    text = text.replace(_OPEN, "{").replace(_CLOSE, "}")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"
