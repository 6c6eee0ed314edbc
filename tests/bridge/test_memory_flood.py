"""A 20 MB flood through a real bridge: the log keeps its window, and every character is accounted for."""

from __future__ import annotations

import re

from mcp import Client

from .helpers import ProgressLog, read_all_pages, stdio_client, text_of

MB20 = 20_000_000
FLOOD = f"_sim_flood, bytes({MB20}) linelen(100)"  # 200,000 lines "SEQ 00000001 xxx...\n"
WINDOW = 1_000_000
_LOG_CUT = re.compile(
    r"it keeps ([\d,]+) of the run's ([\d,]+) characters: ([\d,]+) between its first ([\d,]+) and latest ([\d,]+)"
)
_PROGRESS_CUT = re.compile(
    r"\n\[stata-live: ([\d,]+) characters of output skipped in progress; the run's log has them\]\n"
)


def _int(text: str) -> int:
    return int(text.replace(",", ""))


async def _whole_log(client: Client, uri: str) -> str:
    return "".join(await read_all_pages(client, uri))


async def test_a_20_mb_flood_keeps_head_and_tail_within_the_window_and_counts_the_rest(
    bridge_env: dict[str, str],
) -> None:
    progress = ProgressLog()
    args = ("--log-window-chars", str(WINDOW), "--progress-window-chars", "200000")
    async with stdio_client(*args, env=bridge_env) as client:
        result = await client.call_tool("stata_run", {"code": FLOOD}, progress_callback=progress)
        log = result.structured_content["log"]
        whole = await _whole_log(client, log["uri"])
    assert not result.is_error
    cut = _LOG_CUT.search(text_of(result))
    assert cut is not None, "the result must say that the log left text out, with counts"
    kept, total, skipped, head, tail = (_int(g) for g in cut.groups())
    assert (kept, head, tail) == (WINDOW, WINDOW // 2, WINDOW // 2)
    assert head + tail + skipped == total and total >= MB20
    assert log["skipped_chars"] == skipped and log["truncated"]
    marker_start = f"\n[stata-live: {skipped:,} characters of output were left out here"
    head_text, marker, tail_text = whole.partition(marker_start)
    assert marker and len(head_text) == head and len(tail_text.partition("]\n")[2]) == tail
    assert head_text.startswith("SEQ 00000001 ") and tail_text.rstrip().splitlines()[-1].startswith("SEQ 00200000 ")
    # Progress: strictly increasing, and what it skipped (if the client fell behind) is counted.
    values = [p for _, p, _ in progress.events]
    assert values == sorted(set(values))
    received = progress.text
    skipped_in_progress = sum(_int(n) for n in _PROGRESS_CUT.findall(received))
    assert len(_PROGRESS_CUT.sub("", received)) + skipped_in_progress == total
