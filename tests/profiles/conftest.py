"""The core kernel and bridge behaviours under each real pystata release the simulator plays.

``SIMSTATA_RELEASE`` picks the release (the simulator's SIMULATED.txt lists each behaviour and its
source); ``SIMSTATA_NO_NUMPY=1`` plays a Python without numpy, where Stata 17's ``get_return`` fails.
"""

from __future__ import annotations

import pytest

RELEASES = ("17", "18", "19")


@pytest.fixture(scope="module", params=RELEASES)
def release(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def release_env(release: str) -> dict[str, str]:
    return {"SIMSTATA_RELEASE": release, "SIMSTATA_NO_NUMPY": "1"}
