"""LogWindow: a run's log stays within its window whatever is printed, and says what it left out."""

from __future__ import annotations

import re

import pytest

from mcp_bridge.logwindow import LogWindow
from mcp_bridge.runs import RunRecord


def _flood(window: LogWindow, pieces: int) -> str:
    printed = "".join(f"line {i:06d}\n" for i in range(pieces))
    for start in range(0, len(printed), 777):  # pieces cut anywhere, as Stata's output arrives
        window.append(printed[start : start + 777])
    return printed


def test_a_window_keeps_at_most_its_size_whatever_is_printed() -> None:
    window = LogWindow(10_000)
    printed = _flood(window, 100_000)
    assert window.head_chars + window.tail_chars == 10_000
    assert window.head_chars + window.tail_chars + window.skipped == window.total == len(printed)
    text = window.text
    assert len(text) <= 10_000 + len(window.marker())
    assert text.startswith(printed[:5_000]) and text.endswith(printed[-5_000:])


def test_the_marker_between_head_and_tail_gives_the_counts() -> None:
    window = LogWindow(1_000)
    printed = _flood(window, 1_000)
    found = re.search(r"([\d,]+) characters of output were left out here: the log keeps the first ([\d,]+) "
                      r"and the latest ([\d,]+) of the run's ([\d,]+) characters", window.text)
    assert found is not None
    skipped, head, tail, total = (int(g.replace(",", "")) for g in found.groups())
    assert (head, tail, total) == (500, 500, len(printed)) and head + tail + skipped == total


def test_output_within_the_window_is_kept_whole_without_a_marker() -> None:
    window = LogWindow(10_000)
    printed = _flood(window, 500)
    assert window.text == printed and window.skipped == 0


def test_a_window_too_small_to_hold_anything_is_refused() -> None:
    with pytest.raises(ValueError):
        LogWindow(1)


def test_a_run_record_holds_its_text_in_its_window_and_its_excerpt_reports_the_cut() -> None:
    record = RunRecord(run_id="1-x", label="flood", log_window=100_000)
    for i in range(200_000):
        record.append(f"{i}\n")
    assert record.total_chars == sum(len(f"{i}\n") for i in range(200_000))
    assert record.skipped_chars == record.total_chars - 100_000
    excerpt, truncated = record.excerpt()
    assert truncated and f"{record.skipped_chars:,} between its first 50,000 and latest 50,000" in excerpt
    assert excerpt.endswith("199999\n")
