"""Stata missing values and %formats (%9.0g, %9.2f, %10.0gc, %8.3e, %-12s, ...)."""

from __future__ import annotations

import math
import re

# Stata's system missing value `.` as sfi reports it (2**1023); `.a` ... `.z` lie just above it.
MISSING = 8.98846567431158e307
_MISSING_STEP = 2.0**1011


def extended_missing(letter: str) -> float:
    if not letter:
        return MISSING
    return MISSING + (ord(letter.lower()) - ord("a") + 1) * _MISSING_STEP


def is_missing(x: object) -> bool:
    return isinstance(x, float) and (x >= MISSING or x != x)


def missing_text(x: float) -> str:
    if x != x or x < MISSING + _MISSING_STEP / 2:
        return "."
    k = round((x - MISSING) / _MISSING_STEP)
    return "." + chr(ord("a") + k - 1) if 1 <= k <= 26 else "."


_FMT_RE = re.compile(r"^%(-)?(0)?(\d+)(?:\.(\d+))?([fgeFGE])(c)?$|^%(-)?(\d+)s$")


def valid_format(fmt: str) -> bool:
    return bool(_FMT_RE.match(fmt)) or fmt.startswith("%t")


def fmt_g(x: float, width: int = 9) -> str:
    """Stata's %w.0g: as many significant digits as sensibly fit in `width` (w-2), integers exactly."""
    if is_missing(x):
        return missing_text(x)
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    ax = abs(x)
    if ax == int(ax) and ax < 10 ** min(width, 15):
        return sign + str(int(ax))
    sig = max(width - 2, 1)
    e = math.floor(math.log10(ax))
    if -5 <= e < sig:
        decimals = max(sig - 1 - e, 0)
        s = f"{ax:.{decimals}f}"
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        if s.startswith("0."):
            s = s[1:]
        if s in ("", "0"):
            s = "0"
        return sign + s
    mant = min(max(width - 6, 0), 3)
    return sign + f"{ax:.{mant}e}"


def _commas(int_text: str) -> str:
    out = ""
    while len(int_text) > 3:
        out = "," + int_text[-3:] + out
        int_text = int_text[:-3]
    return int_text + out


def format_number(x: float, fmt: str) -> str:
    """Apply a numeric %format; unknown formats fall back to %9.0g."""
    m = _FMT_RE.match(fmt)
    if m is None or m.group(8):
        return fmt_g(x)
    left, _zero, w, d, kind, comma = m.group(1, 2, 3, 4, 5, 6)
    width = int(w)
    decimals = int(d) if d is not None else 0
    kind = kind.lower()
    if is_missing(x):
        s = missing_text(x)
    elif kind == "f":
        s = f"{x:.{decimals}f}"
        if comma:
            sign = "-" if s.startswith("-") else ""
            body = s.lstrip("-")
            ip, _, fp = body.partition(".")
            s = sign + _commas(ip) + ("." + fp if fp else "")
    elif kind == "e":
        s = f"{x:.{decimals}e}"
    else:
        s = fmt_g(x, width) if decimals == 0 else f"{x:.{decimals}g}"
        if comma and "e" not in s:
            sign = "-" if s.startswith("-") else ""
            ip, dot, fp = s.lstrip("-").partition(".")
            s = sign + _commas(ip or "0" if dot and not ip else ip) + (dot + fp)
    return s.ljust(width) if left else s.rjust(width)


def format_string(s: str, fmt: str) -> str:
    m = _FMT_RE.match(fmt)
    if m is None or not m.group(8):
        return s
    width = int(m.group(8))
    return s.ljust(width) if m.group(7) else s.rjust(width)


def display_number(x: float) -> str:
    """How `display` shows a number without a format (about 8 significant digits)."""
    return fmt_g(x, 10)
