"""(filled in below)"""

from __future__ import annotations

from ..registry import Registry


def register(reg: Registry) -> None:
    return None
