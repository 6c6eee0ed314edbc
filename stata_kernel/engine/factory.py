"""Choosing the engine: discovery decides, and failures become an engine that explains them."""

from __future__ import annotations

from ..discovery import find_stata
from ..errors import StataUnavailable
from .base import Engine
from .unavailable import UnavailableEngine


def engine_for(stata_dir: str | None = None, edition: str | None = None) -> Engine:
    """The pystata engine for the Stata that discovery finds, or one that reports why there is none."""
    try:
        installation = find_stata(stata_dir, edition)
    except StataUnavailable as exc:
        return UnavailableEngine(exc)
    except ValueError as exc:  # a bad edition name in an option, the environment or a config file
        return UnavailableEngine(StataUnavailable(str(exc)))
    from .pystata_backend import PystataEngine

    return PystataEngine(installation)
