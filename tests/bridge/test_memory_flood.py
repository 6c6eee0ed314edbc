"""A 20 MB flood through a real bridge: the log keeps its window, and every character is accounted for."""

from __future__ import annotations

import re

import anyio
from mcp import Client

from mcp_bridge.relay import SKIPPED_MARKER

from .helpers import ProgressLog, read_all_pages, stdio_client, text_of

MB20 = 20_000_000
FLOOD = f"_sim_flood, bytes({MB20}) linelen(100)"  # 200,000 lines "SEQ 00000001 xxx...\n"
WINDOW = 1_000_000
_LOG_CUT = re.compile(
    r"it keeps ([\d,]+) of the run's ([\d,]+) characters: ([\d,]+) between its first ([\d,]+) and latest ([\d,]+)"
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
    skipped_in_progress = sum(_int(n) for n in SKIPPED_MARKER.findall(received))
    assert len(SKIPPED_MARKER.sub("", received)) + skipped_in_progress == total


async def test_stata_interrupt_during_a_flood_stops_the_run_and_the_session_serves_on(
    bridge_env: dict[str, str],
) -> None:
    """Stata waits for room in its full output buffer while the bridge streams: stata_interrupt from the same
    session still breaks it at once, the run answers interrupted with its log from the first line, and the
    session runs the next call."""
    received = 0
    enough = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        nonlocal received
        received += len(message or "")
        if received >= 12 * 1024 * 1024:  # three times Stata's (simulated) buffer: Stata has waited for room
            enough.set()

    async with stdio_client(env=bridge_env) as client:
        outcome: dict[str, object] = {}

        async def flood() -> None:
            outcome["result"] = await client.call_tool(
                "stata_run", {"code": "_sim_flood, bytes(2000000000) linelen(100)"}, progress_callback=on_progress
            )

        async with anyio.create_task_group() as tg:
            tg.start_soon(flood)
            with anyio.fail_after(120):
                await enough.wait()
            interrupted = await client.call_tool("stata_interrupt", {})
            assert not interrupted.is_error, text_of(interrupted)
        result = outcome["result"]
        after = await client.call_tool("stata_run", {"code": "display 6*7"})
    structured = result.structured_content  # type: ignore[attr-defined]
    assert structured["interrupted"] and structured["rc"] == 1 and structured["error"]["kind"] == "break"
    assert structured["log"]["head"].startswith("SEQ 00000001 ")
    assert structured["log"]["chars"] < 1_000_000_000  # the run stopped long before its 2 GB
    assert not after.is_error and after.structured_content["ok"] and "42" in text_of(after)
