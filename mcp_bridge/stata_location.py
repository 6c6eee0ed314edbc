"""Where Stata is, as the kernel sees it: asked of the kernel's command line, not imported from it.

``python -m mcp_bridge install`` and ``doctor`` need the Stata installation the kernel will start. They run
``python -m stata_kernel locate`` (one JSON line) in a subprocess: the bridge imports nothing of the kernel
but :mod:`stata_kernel.syntax`, and the answer comes from the Python that will run the kernel, with its
config files and environment.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

LOCATE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Located:
    """An installation: the directory holding ``utilities/pystata``, its edition, where it was found."""

    stata_dir: str
    edition: str
    source: str
    simulated: bool


class NotLocated(Exception):
    """No usable installation; ``kind`` is ``not_found`` (``searched`` lists the places), ``bad_edition``,
    or ``no_kernel`` (the kernel's command line did not answer)."""

    def __init__(self, kind: str, message: str, searched: list[str] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.searched = list(searched or [])


def locate_stata(stata_dir: str | None = None, *, env: Mapping[str, str] | None = None,
                 python: str | None = None) -> Located:
    """The installation the kernel would use; ``stata_dir`` given: that directory or nothing (no fallback)."""
    command = [python or sys.executable, "-m", "stata_kernel", "locate"]
    if stata_dir:
        command += ["--stata-dir", stata_dir]
    shown = " ".join(command)
    try:
        proc = subprocess.run(command, env=None if env is None else dict(env), capture_output=True, text=True,
                              timeout=LOCATE_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NotLocated("no_kernel", f"`{shown}` failed ({exc}); is stata-live installed for this Python?") from None
    try:
        answer = json.loads(proc.stdout)
    except json.JSONDecodeError:
        last = proc.stderr.strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        raise NotLocated("no_kernel", f"`{shown}` did not say where Stata is ({last[0]}); is stata-live installed "
                         "for this Python?") from None
    if "error" in answer:
        raise NotLocated(str(answer["error"]), str(answer.get("message", "")), list(answer.get("searched", [])))
    return Located(str(answer["stata_dir"]), str(answer["edition"]), str(answer["source"]),
                   bool(answer["simulated"]))


__all__ = ["Located", "NotLocated", "locate_stata"]
