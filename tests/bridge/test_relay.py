"""The coalescing rule, checked deterministically against a transport the test holds back."""

from __future__ import annotations

import anyio

from mcp_bridge.kernel import OutputText
from mcp_bridge.relay import MAX_MESSAGE_CHARS, ProgressRelay


class HeldTransport:
    """Records notifications; each send stays in flight until the test releases it."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str | None]] = []
        self.in_flight = anyio.Event()
        self._release = anyio.Event()

    async def report(self, progress: float, total: float | None, message: str | None) -> None:
        assert total is None
        self.sent.append((progress, message))
        self.in_flight.set()
        await self._release.wait()

    def release(self) -> None:
        self.in_flight = anyio.Event()
        release, self._release = self._release, anyio.Event()
        release.set()


async def test_first_chunk_goes_at_once_and_what_queues_meanwhile_is_batched() -> None:
    transport = HeldTransport()
    async with ProgressRelay(transport.report, heartbeat_s=3600) as relay:
        relay.on_event(OutputText("a"))
        await transport.in_flight.wait()  # sent without waiting for more output
        assert transport.sent == [(1.0, "a")]
        for piece in ("b", "c", "d"):
            relay.on_event(OutputText(piece))
        transport.release()
        await transport.in_flight.wait()
        assert transport.sent == [(1.0, "a"), (2.0, "bcd")]
        transport.release()
    assert transport.sent == [(1.0, "a"), (2.0, "bcd")]


async def test_queued_output_is_flushed_before_the_relay_closes() -> None:
    sent: list[str] = []

    async def report(progress: float, total: float | None, message: str | None) -> None:
        sent.append(message or "")

    async with ProgressRelay(report, heartbeat_s=3600) as relay:
        for i in range(100):
            relay.on_event(OutputText(f"{i} "))
    assert "".join(sent) == "".join(f"{i} " for i in range(100))


async def test_huge_batches_are_split_below_the_message_limit() -> None:
    sent: list[str] = []

    async def report(progress: float, total: float | None, message: str | None) -> None:
        sent.append(message or "")

    text = "x" * (2 * MAX_MESSAGE_CHARS + 10)
    async with ProgressRelay(report, heartbeat_s=3600) as relay:
        relay.on_event(OutputText(text))
    assert "".join(sent) == text
    assert max(len(m) for m in sent) <= MAX_MESSAGE_CHARS


async def test_heartbeats_fill_silences_and_count_up() -> None:
    progress: list[float] = []
    beats = anyio.Event()

    async def report(p: float, total: float | None, message: str | None) -> None:
        progress.append(p)
        assert message and message.startswith("[stata-live]") and "elapsed" in message
        if len(progress) == 3:
            beats.set()

    async with ProgressRelay(report, heartbeat_s=0.01):
        await beats.wait()
    assert progress[:3] == [1.0, 2.0, 3.0]


async def test_a_client_that_stops_reading_does_not_hold_the_result_forever(monkeypatch) -> None:
    monkeypatch.setattr("mcp_bridge.relay.FLUSH_TIMEOUT_S", 0.05)
    stuck = anyio.Event()

    async def report(progress: float, total: float | None, message: str | None) -> None:
        await stuck.wait()  # never set: the transport is wedged

    async with ProgressRelay(report, heartbeat_s=3600) as relay:
        relay.on_event(OutputText("lost"))
    assert not stuck.is_set()


async def test_a_failing_call_propagates_its_own_exception_unwrapped() -> None:
    async def report(progress: float, total: float | None, message: str | None) -> None:
        """Nothing to send to."""

    class Refused(Exception):
        pass

    try:
        async with ProgressRelay(report, heartbeat_s=3600) as relay:
            relay.on_event(OutputText("partial"))
            raise Refused("no")
    except Refused as exc:  # not an ExceptionGroup: the SDK must see a ToolError as such
        assert str(exc) == "no"


def test_a_run_log_keeps_bounded_memory_with_its_latest_output(monkeypatch) -> None:
    from mcp_bridge import runs

    monkeypatch.setattr(runs, "MAX_LOG_CHARS", 1000)
    record = runs.RunRegistry().new("flood")
    for i in range(5000):
        record.append(f"line {i}\n")
    assert record.total_chars == sum(len(f"line {i}\n") for i in range(5000))
    assert record.text.startswith("line 0\n")
    assert record.text.endswith("line 4999\n")
    assert len(record.text) < 1000 + runs.RESULT_CHARS + 300
    excerpt, _ = record.excerpt()
    assert excerpt.endswith("line 4999\n") and "characters of output were left out" in excerpt
