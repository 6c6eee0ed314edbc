"""Which cell an interrupt was meant for, from the two requests' headers (stata_kernel.interrupts)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from stata_kernel.interrupts import sent_after, sent_before

T0 = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)


def header(session: str, at: datetime) -> dict:
    return {"session": session, "date": at}


def test_an_interrupt_sent_before_the_cell_is_not_for_it():
    assert sent_before(header("a", T0), header("a", T0 + timedelta(seconds=1)))
    assert not sent_after(header("a", T0), header("a", T0 + timedelta(seconds=1)))


def test_an_interrupt_that_overtook_its_cell_is_for_it():
    assert sent_after(header("a", T0 + timedelta(milliseconds=5)), header("a", T0))
    assert not sent_before(header("a", T0 + timedelta(milliseconds=5)), header("a", T0))


def test_other_sessions_and_missing_dates_are_never_compared():
    assert not sent_before(header("a", T0), header("b", T0 + timedelta(seconds=1)))
    assert not sent_after({"session": "a"}, header("a", T0))
    assert not sent_before({}, header("a", T0))
