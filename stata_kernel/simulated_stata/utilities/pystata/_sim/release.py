"""Which pystata release the simulator plays (``SIMSTATA_RELEASE`` = 17, 18 or 19; default 18).

Every behaviour below is one a real release shows at the ``pystata.stata.run`` boundary; the C entry
points (``StataSO_Execute`` and the output buffer) are the same in every release. Sources: [17] the pystata
17 source (``stata.py``, ``core/stout.py``); [19] positron-stata's notes on Stata 19; "assumed" where no
source says. SIMULATED.txt lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

ENV = "SIMSTATA_RELEASE"


@dataclass(frozen=True)
class Release:
    number: int
    version: float
    error_in_output_thread: bool  # [17]: SystemError raised inside the output thread; run returns normally
    empty_message_after_break: bool  # [19]: the SystemError of an interrupted run has an empty message


RELEASES = {
    17: Release(17, 17.0, error_in_output_thread=True, empty_message_after_break=False),
    18: Release(18, 18.0, error_in_output_thread=False, empty_message_after_break=False),  # assumed
    19: Release(19, 19.5, error_in_output_thread=False, empty_message_after_break=True),
}


def current() -> Release:
    raw = os.environ.get(ENV, "").strip() or "18"
    try:
        return RELEASES[int(raw)]
    except (ValueError, KeyError):
        raise SystemError(f"{ENV}={raw!r}: the simulated Stata plays release 17, 18 or 19") from None


def numpy_missing() -> bool:
    """pystata's get_return needs numpy [17]; ``SIMSTATA_NO_NUMPY=1`` plays a Python without it."""
    if os.environ.get("SIMSTATA_NO_NUMPY", "") == "1":
        return True
    try:
        import numpy  # noqa: F401
    except ImportError:
        return True
    return False
