"""Zero silent loss: 50 MB of sequence-marked output (``_sim_flood``) arrives whole, in order, once,
through the kernel (jupyter_client) and through MCP (progress messages, result, log resource); a
slow MCP client keeps the bridge's memory bounded and still gets everything."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from mcp_bridge.relay import SKIPPED_MARKER
from tests.bridge.helpers import ROOT, HttpBridge, ProgressLog, bridge_command, stdio_client, text_of
from tests.harness import execute

from . import proc
from .rawmcp import RawSession, RawStdio, progress_of, sse_events

MB = 1024 * 1024
BIG = 50 * MB
LINE = 80
_SEQ = re.compile(r"SEQ (\d{8}) ")
_PAGE_FOOTER = re.compile(r"\n\[stata-live: page \d+ of \d+; next page: [^\]]*\]$")


def check_sequence(text: str, total: int) -> int:
    """Every SEQ number of a flood of ``total`` characters, in order, exactly once; returns the count."""
    assert len(text) == total, f"{len(text):,} characters instead of {total:,}"
    numbers = [int(n) for n in _SEQ.findall(text)]
    expected = -(-total // LINE)
    if total % LINE and total % LINE < len("SEQ 00000000 "):
        expected -= 1  # the last line was truncated before its number was complete
    assert numbers == list(range(1, expected + 1)), _first_gap(numbers)
    return len(numbers)


def flood_text(total: int) -> str:
    """Exactly what ``_sim_flood, bytes(total)`` prints (SIMULATED.txt)."""
    lines = -(-total // LINE)
    filler = "x" * (LINE - len("SEQ 00000000 ") - 1)
    return "".join(f"SEQ {i:08d} {filler}\n" for i in range(1, lines + 1))[:total]


_LOG_CUT = re.compile(r"\n\[stata-live: ([\d,]+) characters of output were left out here: the log keeps the "
                      r"first ([\d,]+) and the latest ([\d,]+) of the run's ([\d,]+) characters[^\]]*\]\n")


def check_log(log: str, expected: str) -> bool:
    """The run log: all of the output, or (past the bridge's window) its head, a marker with counts, its tail.

    Returns True when the log is complete.
    """
    match = _LOG_CUT.search(log)
    if match is None:
        assert log == expected
        return True
    skipped, head, tail, total = (int(group.replace(",", "")) for group in match.groups())
    assert log[: match.start()] == expected[:head]
    assert head + tail + skipped == total == len(expected)
    assert log[match.end():] == expected[len(expected) - tail:] and tail > 0
    return False


def check_progress(text: str, expected: str, *, complete: bool = True) -> int:
    """Progress text: the output in order, where a slow client fell behind a marker counting what was skipped
    (the log has it). Returns the characters skipped; with ``complete`` every character is accounted for."""
    parts = SKIPPED_MARKER.split(text)
    at = skipped = 0
    for index, part in enumerate(parts):
        if index % 2:
            skipped += int(part.replace(",", ""))
            at += int(part.replace(",", ""))
            continue
        assert expected[at : at + len(part)] == part, f"progress differs from the output near character {at:,}"
        at += len(part)
    assert at == len(expected) if complete else at <= len(expected)
    return skipped


def _first_difference(text: str, expected: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(text, expected, strict=False)) if a != b),
              min(len(text), len(expected)))
    return f"character {at:,}: {text[max(0, at - 40):at + 80]!r}"


def _first_gap(numbers: list[int]) -> str:
    for index, number in enumerate(numbers, start=1):
        if number != index:
            return f"first problem at position {index}: SEQ {number}"
    return f"{len(numbers)} numbers, fewer than expected"


@pytest.mark.slow
def test_fifty_megabytes_through_the_kernel_arrive_whole_and_in_order(kernel_with_stderr, figures) -> None:
    _, kc, _ = kernel_with_stderr
    started = time.monotonic()
    run = execute(kc, f"_sim_flood, bytes({BIG})", timeout=120)
    elapsed = time.monotonic() - started
    assert run.status == "ok"
    count = check_sequence(run.text, BIG)
    figures["megabytes"] = BIG / MB
    figures["seq_lines"] = count
    figures["stream_messages"] = len(run.streams)
    figures["seconds"] = elapsed
    figures["mb_per_s"] = BIG / MB / elapsed


async def _read_log(client, uri: str) -> str:
    pages = []
    page = 1
    while True:
        text = (await client.read_resource(uri if page == 1 else f"{uri}?page={page}")).contents[0].text
        stripped = _PAGE_FOOTER.sub("", text)
        pages.append(stripped)
        if stripped == text:
            return "".join(pages)
        page += 1


@pytest.mark.slow
async def test_fifty_megabytes_through_mcp_progress_and_log_arrive_whole_and_in_order(
    bridge_env: dict[str, str], figures
) -> None:
    async with stdio_client(env=bridge_env) as client:
        progress = ProgressLog()
        started = time.monotonic()
        result = await client.call_tool("stata_run", {"code": f"_sim_flood, bytes({BIG})"},
                                        progress_callback=progress)
        elapsed = time.monotonic() - started
        log = result.structured_content["log"]
        full = await _read_log(client, log["uri"])
    assert not result.is_error
    assert progress.heartbeats == []  # a flood is never silent
    expected = flood_text(BIG)
    # A client that falls behind more than the relay's window gets a counted marker instead of the middle.
    skipped = check_progress(progress.text, expected)
    count = check_sequence(progress.text, BIG) if not skipped else -1
    log_complete = check_log(full, expected)  # the log resource, pages joined
    assert log["truncated"] and log["chars"] in (BIG, len(full))
    shown = text_of(result)
    assert "characters of output omitted" in shown and log["uri"] in shown  # clearly truncated
    head = shown.split("\n\n[stata-live:", 1)[0]
    assert full.startswith(head)
    figures["seq_lines"] = count
    figures["progress_skipped_chars"] = skipped
    figures["progress_notifications"] = len(progress.events)
    figures["log_resource_complete"] = log_complete
    figures["log_resource_chars"] = len(full)
    figures["seconds"] = elapsed
    figures["mb_per_s"] = BIG / MB / elapsed


class RssSampler:
    """Samples a process's RSS every 20 ms in a thread (a measurement, not a synchronisation)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = proc.rss_mb(pid)
        self.start = self.peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, proc.rss_mb(self.pid))


@pytest.fixture(scope="module")
def flood_bridge(bridge_env: dict[str, str]) -> Iterator[HttpBridge]:
    bridge = HttpBridge(env=bridge_env, transport="http")
    try:
        yield bridge
    finally:
        bridge.stop()


SLOW_FLOOD = 20 * MB


async def _flood_over_http(bridge: HttpBridge, read_pause_s: float) -> tuple[str, dict, float, RssSampler]:
    """One 20 MB flood call, the SSE body read in 64 KB steps with a pause after each."""
    async with httpx.AsyncClient(timeout=120) as http:
        session = RawSession(http, bridge.url)
        await session.initialize()
        request_id = session.next_id()
        texts: list[str] = []
        result: dict = {}
        started = time.monotonic()
        with RssSampler(bridge.process.pid) as rss:
            async with session.call("stata_run", {"code": f"_sim_flood, bytes({SLOW_FLOOD})"},
                                    progress_token="flood", request_id=request_id) as response:
                async for event in sse_events(response, pause_s=read_pause_s):  # a slow reader
                    message = event.message
                    progress = progress_of(message)
                    if progress is not None and not progress[1].startswith("[stata-live]"):  # not heartbeats
                        texts.append(progress[1])
                    elif message is not None and message.get("id") == request_id:
                        result = message
                        break
        elapsed = time.monotonic() - started
    return "".join(texts), result, elapsed, rss


@pytest.mark.slow
async def test_a_slow_mcp_client_keeps_bridge_memory_bounded_and_loses_nothing(
    flood_bridge: HttpBridge, figures
) -> None:
    fast_text, fast_result, fast_s, fast_rss = await _flood_over_http(flood_bridge, 0)
    slow_text, slow_result, slow_s, slow_rss = await _flood_over_http(flood_bridge, 0.02)
    expected = flood_text(SLOW_FLOOD)
    for text, result in ((fast_text, fast_result), (slow_text, slow_result)):
        structured = result["result"]["structuredContent"]
        assert structured["ok"] and structured["log"]["truncated"]
        # Progress is never silently cut: all of it, a counted marker where a slow client fell behind the
        # relay's window, or (if the relay gave up on a wedged client) a prefix.
        check_progress(text, expected, complete=False)
    async with flood_bridge.client() as client:
        full = await _read_log(client, slow_result["result"]["structuredContent"]["log"]["uri"])
    check_log(full, expected)
    figures["flood_mb"] = SLOW_FLOOD / MB
    figures["fast_s"] = fast_s
    figures["slow_s"] = slow_s
    figures["fast_rss_growth_mb"] = fast_rss.peak - fast_rss.start
    figures["slow_rss_growth_mb"] = slow_rss.peak - slow_rss.start
    figures["slow_progress_complete"] = len(slow_text) == SLOW_FLOOD
    figures["slow_client_mb_per_s"] = SLOW_FLOOD / MB / slow_s
    # A slow client holds output back in the relay's queue; it must not cost much more than a fast one.
    assert slow_rss.peak - slow_rss.start < (fast_rss.peak - fast_rss.start) + 60
    assert slow_rss.peak - slow_rss.start < 200


@pytest.mark.slow
def test_a_stdio_client_that_reads_slowly_holds_back_neither_stata_nor_the_bridge(bridge_env) -> None:
    """A stdio client that leaves the pipe full most of the time: Stata is not held back (its run ends long
    before the client has read the progress), progress is whole or says what it skipped (the relay's window),
    and the result's log accounts for every character."""
    total = 20 * MB
    bridge = RawStdio(bridge_command(), env=bridge_env, cwd=str(ROOT))
    try:
        bridge.initialize()
        started = time.monotonic()
        bridge.send({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                     "params": {"name": "stata_run", "arguments": {"code": f"_sim_flood, bytes({total})"},
                                "_meta": {"progressToken": "slow"}}})
        texts: list[str] = []
        read = 0
        while True:
            message = bridge.read()
            if message.get("id") == 7:
                result = message
                break
            got = progress_of(message)
            if got is not None:
                texts.append(got[1])
                read += len(got[1])
                if read >= 256 * 1024:  # the slow client: 40 ms per 256 KB read, ~6 MB/s at most
                    read = 0
                    time.sleep(0.04)
        client_s = time.monotonic() - started
    finally:
        bridge.close()
    structured = result["result"]["structuredContent"]
    log = structured["log"]
    assert structured["ok"] and log["tail"].endswith(flood_text(total)[-1000:])
    assert total <= log["chars"] + log["skipped_chars"] < total + 1000  # the log's window, a marker, the rest counted
    check_progress("".join(t for t in texts if not t.startswith("[stata-live]")), flood_text(total), complete=True)
    # Stata's run is timed by the bridge from the request to the kernel's reply: it did not wait for the client.
    assert structured["elapsed_s"] < client_s / 2, (structured["elapsed_s"], client_s)
