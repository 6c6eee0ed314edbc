"""Which running cell an ``interrupt_request`` was meant for.

Control messages overtake shell messages, so an interrupt pressed while idle can arrive just after the next
execute started (it must not break that cell), and one pressed right after a cell was sent can arrive before
the cell (it must break it when it starts). Timestamps are compared only within one client session, whose
headers share a clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def _dates(interrupt: dict[str, Any], execute: dict[str, Any]) -> tuple[datetime, datetime] | None:
    if not interrupt or not execute or interrupt.get("session") != execute.get("session"):
        return None
    sent, started = interrupt.get("date"), execute.get("date")
    if isinstance(sent, datetime) and isinstance(started, datetime):
        return sent, started
    return None


def sent_before(interrupt: dict[str, Any], execute: dict[str, Any]) -> bool:
    """The interrupt (header) was sent before the execute request (header) now running: ignore it."""
    dates = _dates(interrupt, execute)
    return dates is not None and dates[0] < dates[1]


def sent_after(interrupt: dict[str, Any], execute: dict[str, Any]) -> bool:
    """The interrupt was sent after this execute request, but reached the kernel first: it is for this cell."""
    dates = _dates(interrupt, execute)
    return dates is not None and dates[0] >= dates[1]
