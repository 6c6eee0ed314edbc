"""The bench's flood check: text the bridge left out of progress with a counting marker is skipped, not lost;
anything missing without a marker, or out of order, is lost."""

from __future__ import annotations

from bench.workloads import flood_progress_accounting, flood_text
from mcp_bridge.relay import skipped_marker

TOTAL = 1_000_000


def test_complete_progress_loses_and_skips_nothing() -> None:
    assert flood_progress_accounting(flood_text(TOTAL), TOTAL) == (0, 0)


def test_a_counted_gap_is_skipped_not_lost() -> None:
    text = flood_text(TOTAL)
    received = text[:300_000] + skipped_marker(200_000) + text[500_000:]
    assert flood_progress_accounting(received, TOTAL) == (0, 200_000)


def test_a_silent_gap_or_a_short_end_is_lost() -> None:
    text = flood_text(TOTAL)
    assert flood_progress_accounting(text[:300_000] + text[500_000:], TOTAL) == (200_000, 0)
    assert flood_progress_accounting(text[:900_000], TOTAL) == (100_000, 0)


def test_a_marker_that_miscounts_is_caught() -> None:
    text = flood_text(TOTAL)
    received = text[:300_000] + skipped_marker(100_000) + text[500_000:]  # says 100,000, left out 200,000
    lost, _ = flood_progress_accounting(received, TOTAL)
    assert lost > 0
