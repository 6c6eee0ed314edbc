"""The relay holds a bounded window of pending text when the client reads more slowly than Stata prints."""

from __future__ import annotations

import anyio

from mcp_bridge.kernel import OutputText
from mcp_bridge.relay import MAX_MESSAGE_CHARS, SKIPPED_MARKER, ProgressRelay


class HeldTransport:
    """Records notifications; each stays in flight until the test lets it go (one at a time, or all from then on)."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str]] = []
        self.in_flight = anyio.Event()
        self._go = anyio.Event()
        self.free = False

    async def report(self, progress: float, total: float | None, message: str | None) -> None:
        self.sent.append((progress, message or ""))
        self.in_flight.set()
        if not self.free:
            await self._go.wait()
            self._go = anyio.Event()

    async def let_one_go(self) -> None:
        """Let the notification in flight go, and wait until the next one is in flight."""
        self.in_flight = anyio.Event()
        self._go.set()
        await self.in_flight.wait()

    def release_all(self) -> None:
        self.free = True
        self._go.set()




async def test_pending_text_stays_within_the_window_while_a_notification_is_in_flight() -> None:
    transport = HeldTransport()
    window = 10_000
    printed = "".join(f"line {i:06d}\n" for i in range(50_000))  # 600,000 characters
    async with ProgressRelay(transport.report, heartbeat_s=3600, window=window) as relay:
        relay.on_event(OutputText("first\n"))
        await transport.in_flight.wait()
        for start in range(0, len(printed), 1000):
            relay.on_event(OutputText(printed[start : start + 1000]))
            assert relay.pending_chars <= window
        transport.release_all()
    assert relay.skipped == len(printed) - window
    progress = [p for p, _ in transport.sent]
    assert progress == sorted(set(progress))  # strictly increasing
    received = "".join(message for _, message in transport.sent)
    markers = SKIPPED_MARKER.findall(received)
    assert [int(m.replace(",", "")) for m in markers] == [len(printed) - window]
    head, tail = SKIPPED_MARKER.split(received)[0], SKIPPED_MARKER.split(received)[-1]
    assert head == "first\n" + printed[: window // 2] and tail == printed[-window // 2 :]


async def test_nothing_is_skipped_while_the_client_keeps_up() -> None:
    sent: list[str] = []

    async def report(progress: float, total: float | None, message: str | None) -> None:
        sent.append(message or "")

    printed = "x" * (3 * MAX_MESSAGE_CHARS + 5)
    async with ProgressRelay(report, heartbeat_s=3600, window=MAX_MESSAGE_CHARS * 4) as relay:
        relay.on_event(OutputText(printed))
    assert "".join(sent) == printed and relay.skipped == 0
    assert all(len(message) <= MAX_MESSAGE_CHARS for message in sent)


async def test_the_window_bounds_everything_held_while_a_long_backlog_is_being_sent() -> None:
    """Notifications are taken from the window one at a time: what is being sent is never a second copy of the
    backlog next to a full window of newer text."""
    transport = HeldTransport()
    window = 4 * MAX_MESSAGE_CHARS
    line = "y" * 99 + "\n"
    async with ProgressRelay(transport.report, heartbeat_s=3600, window=window) as relay:
        relay.on_event(OutputText("first\n"))
        await transport.in_flight.wait()
        for _ in range(6):  # the client lets one notification through while Stata prints two notifications' worth
            for _ in range(2 * MAX_MESSAGE_CHARS // len(line)):
                relay.on_event(OutputText(line))
                assert relay.pending_chars <= window + 200  # the window and at most one marker
            await transport.let_one_go()
        transport.release_all()
    received = "".join(message for _, message in transport.sent)
    skipped = sum(int(n.replace(",", "")) for n in SKIPPED_MARKER.findall(received))
    assert skipped == relay.skipped > 0
    printed = len("first\n") + 6 * (2 * MAX_MESSAGE_CHARS // len(line)) * len(line)
    assert len(SKIPPED_MARKER.sub("", received)) + skipped == printed
