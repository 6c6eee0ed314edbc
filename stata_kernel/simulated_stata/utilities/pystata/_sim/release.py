"""Which pystata release the simulator plays (``SIMSTATA_RELEASE`` = 17, 18 or 19; default 18).

The C entry points are the same in every release; what differs is pystata's Python layer. Sources: [17] the
pystata 17 source (``stata.py``, ``core/stout.py``, ``config.py``); [19] positron-stata's notes on Stata 19;
"assumed" where no source says. SIMULATED.txt lists every behaviour with its source.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

ENV = "SIMSTATA_RELEASE"
DEFAULT = 18


@dataclass(frozen=True)
class Release:
    number: int
    version: float  # c(stata_version), the banner, config.stversion
    pystata_version: str  # pystata.__version__
    init_takes_splash: bool  # [17] init(edition) has no splash=; later releases have it (assumed from 18)
    error_in_output_thread: bool  # [17] the SystemError is raised inside the output thread
    empty_message_after_break: bool  # [19] the SystemError of an interrupted run has an empty message


RELEASES = {
    17: Release(17, 17.0, "0.1.0", init_takes_splash=False, error_in_output_thread=True,
                empty_message_after_break=False),
    18: Release(18, 18.0, "0.1.3", init_takes_splash=True, error_in_output_thread=False,
                empty_message_after_break=False),
    19: Release(19, 19.5, "0.1.3", init_takes_splash=True, error_in_output_thread=False,
                empty_message_after_break=True),
}


def current() -> Release:
    """The release named by ``SIMSTATA_RELEASE``; anything else fails loudly (a typo must not play 18)."""
    raw = os.environ.get(ENV, "").strip() or str(DEFAULT)
    try:
        return RELEASES[int(raw)]
    except (ValueError, KeyError):
        raise SystemError(f"{ENV}={raw!r}: the simulated Stata plays release 17, 18 or 19") from None


def version_for_environment() -> str:
    """pystata.__version__ of the release played; an invalid release is reported by config.init, not here."""
    try:
        return current().pystata_version
    except SystemError:
        return RELEASES[DEFAULT].pystata_version


def numpy_missing() -> bool:
    """pystata's get_return needs numpy [17]; ``SIMSTATA_NO_NUMPY=1`` plays a Python without it."""
    if os.environ.get("SIMSTATA_NO_NUMPY", "") == "1":
        return True
    try:
        import numpy  # noqa: F401
    except ImportError:
        return True
    return False


def tail_race_rate() -> float:
    """How often pystata's output thread reads the buffer just before Stata's last print of a run.

    [17] the thread reads, then checks whether the run ended; positron-stata measured ~5% of short commands
    losing their output that way. ``SIMSTATA_TAIL_RACE`` (0..1) overrides the seeded rate.
    """
    try:
        return min(1.0, max(0.0, float(os.environ.get("SIMSTATA_TAIL_RACE", "") or 0.05)))
    except ValueError:
        return 0.05
