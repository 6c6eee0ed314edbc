"""The relay's channels: progress and log messages carry the same batches; one failing spares the other."""

from __future__ import annotations

from mcp_bridge.kernel import OutputText
from mcp_bridge.relay import ProgressRelay


class Recorder:
    def __init__(self, fail_after: int | None = None) -> None:
        self.progress: list[tuple[float, str | None]] = []
        self.logs: list[str] = []
        self._fail_after = fail_after

    async def report(self, progress: float, total: float | None, message: str | None) -> None:
        if self._fail_after is not None and len(self.progress) >= self._fail_after:
            raise BrokenPipeError("client gone")
        self.progress.append((progress, message))

    async def log(self, text: str) -> None:
        self.logs.append(text)


async def test_both_channels_get_the_same_batches_in_the_same_order() -> None:
    rec = Recorder()
    async with ProgressRelay(rec.report, heartbeat_s=3600, log=rec.log) as relay:
        for i in range(50):
            relay.on_event(OutputText(f"{i};"))
    expected = "".join(f"{i};" for i in range(50))
    assert "".join(m or "" for _, m in rec.progress) == expected
    assert rec.logs == [m for _, m in rec.progress]
    assert [p for p, _ in rec.progress] == [float(n) for n in range(1, len(rec.progress) + 1)]
    assert relay.channels == ["progress", "log"]


async def test_log_only_relay_streams_everything() -> None:
    rec = Recorder()
    async with ProgressRelay(None, heartbeat_s=3600, log=rec.log) as relay:
        relay.on_event(OutputText("a"))
        relay.on_event(OutputText("b"))
    assert "".join(rec.logs) == "ab"
    assert rec.progress == []


async def test_a_failing_progress_channel_does_not_stop_the_log_channel() -> None:
    rec = Recorder(fail_after=0)
    async with ProgressRelay(rec.report, heartbeat_s=3600, log=rec.log) as relay:
        for piece in ("x", "y", "z"):
            relay.on_event(OutputText(piece))
    assert rec.progress == []
    assert "".join(rec.logs) == "xyz"


async def test_a_relay_without_channels_sends_nothing() -> None:
    async with ProgressRelay(None, heartbeat_s=3600) as relay:
        relay.on_event(OutputText("dropped"))
    assert relay.sent == 0
