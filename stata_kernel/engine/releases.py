"""Which Stata release an installation is, and which Pythons its Python integration supports.

A Python newer than the release supports fails late and obscurely inside ``config.init`` (the integration
does not start: rc -7100, ``sfiinitialized`` false) or at the first ``sfi`` call, so the engine checks
before anything loads. The release comes from the ``isstata.NNN`` marker every Stata installation holds
(``isstata.180`` is Stata 18.0, ``isstata.195`` StataNow 19.5).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

# Newest Python (major, minor) each release's Python integration is known to start with. One table, the
# only one: [19] positron-stata, verified live ("up to 3.13"); 17 and 18 are conservative readings of
# StataCorp's notes (releases before 3.12's C-API changes). Releases not listed are not checked.
NEWEST_PYTHON: dict[int, tuple[int, int]] = {
    16: (3, 9),
    17: (3, 11),
    18: (3, 12),
    19: (3, 13),
}
CHECK_ENV = "STATA_LIVE_PYTHON_CHECK"  # "off" skips the check (for a Stata update that supports more)

_MARKER = re.compile(r"^isstata\.(\d{3})$", re.IGNORECASE)


def release_of(stata_dir: Path) -> float | None:
    """The release (17.0, 18.5...) from the newest ``isstata.NNN`` marker, or None when there is none."""
    try:
        names = os.listdir(stata_dir)
    except OSError:
        return None
    found = [int(m.group(1)) for m in map(_MARKER.match, names) if m]
    return max(found) / 10 if found else None


def python_problem(stata_dir: Path, python: tuple[int, int] | None = None,
                   env: dict[str, str] | None = None) -> str | None:
    """Why this Python cannot run this Stata's integration, or None when it can (or nobody knows)."""
    environ = os.environ if env is None else env
    if environ.get(CHECK_ENV, "").strip().lower() in ("off", "0", "no", "false"):
        return None
    release = release_of(stata_dir)
    if release is None:
        return None
    newest = NEWEST_PYTHON.get(int(release))
    running = python or (sys.version_info[0], sys.version_info[1])
    if newest is None or running <= newest:
        return None
    return (
        f"Stata {release:g} supports Python up to {newest[0]}.{newest[1]}, but this kernel runs Python "
        f"{running[0]}.{running[1]} ({sys.executable}). Stata's Python integration would fail to start. "
        f"Install the kernel into a Python {newest[0]}.{newest[1]} environment, or, if your Stata update "
        f"supports this Python, set {CHECK_ENV}=off."
    )
