"""Text waiting for a slow client (``mcp_bridge.pending``): in order, within the window, gaps counted."""

from __future__ import annotations

import pytest

from mcp_bridge.pending import PendingText


def marker(count: int) -> str:
    return f"<{count} skipped>"


def drain(pending: PendingText, limit: int) -> list[str]:
    out = []
    while pending:
        out.append(pending.take(limit))
    return out


def test_text_within_the_window_comes_out_whole_in_pieces_of_at_most_the_limit() -> None:
    pending = PendingText(100, marker)
    for piece in ("abc", "defgh", "i" * 40):
        pending.append(piece)
    pieces = drain(pending, 7)
    assert "".join(pieces) == "abcdefgh" + "i" * 40 and all(len(p) <= 7 for p in pieces)
    assert pending.skipped == 0 and pending.held_chars == 0


def test_past_the_window_the_middle_becomes_one_counted_marker() -> None:
    pending = PendingText(10, marker)
    text = "".join(chr(ord("a") + i % 26) for i in range(100))
    for start in range(0, 100, 3):
        pending.append(text[start : start + 3])
        assert pending.held_chars <= 10
    assert pending.skipped == 90
    assert "".join(drain(pending, 4)) == text[:5] + "<90 skipped>" + text[-5:]


def test_while_the_client_catches_up_new_text_follows_in_order_and_the_window_holds() -> None:
    """The sender takes a little, Stata prints more: every held character counts against one window."""
    pending = PendingText(20, marker)
    sent: list[str] = []
    text = "".join(f"{i:03d}" for i in range(200))  # 600 characters
    for start in range(0, len(text), 6):
        pending.append(text[start : start + 6])
        assert pending.held_chars <= 20 + len(marker(pending.skipped))  # the window, and at most one marker
        sent.append(pending.take(4))  # the client reads 4 for every 6 printed
    sent += drain(pending, 4)
    received = "".join(sent)
    kept = received.replace("<", "\n<").replace(">", ">\n").split("\n")
    gaps = [int(part[1:].split()[0]) for part in kept if part.startswith("<")]
    assert sum(gaps) == pending.skipped > 0
    assert len(received) - sum(len(f"<{g} skipped>") for g in gaps) + sum(gaps) == len(text)
    assert received.startswith(text[:20]) and received.endswith(text[-10:])


def test_a_window_too_small_is_refused() -> None:
    with pytest.raises(ValueError):
        PendingText(1, marker)
