"""The engine's own run loop over Stata's C entry points, driven by a scripted fake of those entry points.

The fake plays what every Stata release does at the C level: ``Execute`` blocks and returns an rc, output
accumulates in a buffer that a reader drains (possibly cutting a UTF-8 character), Python code run by Stata
prints through ``sys.stdout``. The simulated installation plays the same over real kernels (tests/kernel).
"""

from __future__ import annotations

import sys
import threading

import pytest

from stata_kernel.engine.pump import OutputPump, Utf8Pieces
from stata_kernel.engine.runloop import EntryPoints, RunLoop, error_message
from stata_kernel.errors import StataError


class FakeStata:
    """A buffer of bytes and a scripted Execute; ``steps`` run on the caller's thread inside Execute."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.lock = threading.Condition()
        self.commands: list[bytes] = []
        self.breaks = 0
        self.script: list = []
        self.rc = 0

    def append(self, data: bytes) -> None:
        with self.lock:
            self.buffer += data

    def read(self) -> bytes:
        with self.lock:
            data, self.buffer = bytes(self.buffer), bytearray()
            self.lock.notify_all()
            return data

    def clear(self) -> None:
        with self.lock:
            self.buffer.clear()

    def execute(self, command: bytes, echo: bool) -> int:
        self.commands.append(command)
        for step in self.script:
            step(self)
        return self.rc

    def entry_points(self, *, append: bool = True) -> EntryPoints:
        return EntryPoints(execute=self.execute, read_output=self.read, clear_output=self.clear,
                           append_output=self.append if append else None, set_break=self._break)

    def _break(self) -> None:
        self.breaks += 1


def wait_until_read(fake: FakeStata) -> None:
    """Block inside Execute until the pump has drained everything printed so far."""
    with fake.lock:
        assert fake.lock.wait_for(lambda: not fake.buffer, timeout=10), "the pump never drained the buffer"


def test_output_arrives_while_execute_is_still_running():
    fake = FakeStata()
    seen_during_run: list[str] = []
    got: list[str] = []

    def prints_then_checks(f: FakeStata) -> None:
        f.append(b"first line\n")
        wait_until_read(f)
        seen_during_run.extend(got)

    fake.script = [prints_then_checks]
    RunLoop(fake.entry_points()).execute("display 1", got.append)
    assert "".join(seen_during_run) == "first line\n"


def test_a_character_cut_between_two_reads_is_delivered_whole():
    pieces = Utf8Pieces()
    data = "é€😀".encode()
    out = [pieces.text(data[i : i + 1]) for i in range(len(data))]
    assert "".join(out) == "é€😀"
    assert all("\ufffd" not in piece for piece in out)


def test_text_readers_pass_through_unchanged():
    assert Utf8Pieces().text("already text") == "already text"


def test_everything_printed_before_execute_returns_is_delivered_and_nothing_after():
    fake = FakeStata()
    fake.script = [lambda f: f.append(("x" * 1000 + "\n").encode() * 50)]
    got: list[str] = []
    RunLoop(fake.entry_points()).execute("bigcommand", got.append)
    assert "".join(got) == ("x" * 1000 + "\n") * 50
    fake.append(b"late")
    assert "late" not in "".join(got)


def test_nonzero_rc_raises_with_the_rc_from_execute_and_stata_s_message():
    fake = FakeStata()
    fake.script = [lambda f: f.append(b"command foo is unrecognized\nr(199);\n")]
    fake.rc = 199
    with pytest.raises(StataError) as info:
        RunLoop(fake.entry_points()).execute("foo", lambda _: None)
    assert (info.value.rc, info.value.message) == (199, "command foo is unrecognized")


def test_rc_comes_from_execute_even_when_the_printed_rc_differs():
    fake = FakeStata()
    fake.script = [lambda f: f.append(b"something failed\nr(198);\n")]
    fake.rc = 111
    with pytest.raises(StataError) as info:
        RunLoop(fake.entry_points()).execute("x", lambda _: None)
    assert info.value.rc == 111


def test_python_prints_inside_stata_reach_the_output_and_stdio_is_restored():
    fake = FakeStata()
    before = sys.stdout, sys.stderr

    def python_block(f: FakeStata) -> None:
        f.append(b". python:\n")
        print("from python")
        print("to stderr", file=sys.stderr)

    fake.script = [python_block]
    got: list[str] = []
    RunLoop(fake.entry_points()).execute("include x", got.append)
    assert "".join(got) == ". python:\nfrom python\nto stderr\n"
    assert (sys.stdout, sys.stderr) == before


def test_stdio_is_restored_when_execute_raises():
    fake = FakeStata()
    before = sys.stdout, sys.stderr

    def crash(f: FakeStata) -> None:
        raise OSError("library gone")

    fake.script = [crash]
    with pytest.raises(OSError):
        RunLoop(fake.entry_points()).execute("x", lambda _: None)
    assert (sys.stdout, sys.stderr) == before


def test_the_buffer_is_cleared_before_a_run():
    fake = FakeStata()
    fake.append(b"left over from nobody\n")
    got: list[str] = []
    RunLoop(fake.entry_points()).execute("display 1", got.append)
    assert "".join(got) == ""


def test_the_gate_is_open_exactly_around_execute():
    fake = FakeStata()
    events: list[str] = []

    class Gate:
        def enter(self) -> None:
            events.append("enter")

        def leave(self) -> None:
            events.append("leave")

    fake.script = [lambda f: events.append("execute")]
    RunLoop(fake.entry_points()).execute("x", lambda _: None, Gate())
    assert events == ["enter", "execute", "leave"]


def test_a_gate_that_refuses_keeps_stata_from_starting():
    fake = FakeStata()

    class Refusing:
        def enter(self) -> None:
            raise StataError(1, "--Break--")

        def leave(self) -> None:
            raise AssertionError("never entered")

    with pytest.raises(StataError):
        RunLoop(fake.entry_points()).execute("x", lambda _: None, Refusing())
    assert fake.commands == []


def test_a_failing_sink_is_reported_after_the_run_and_the_pump_keeps_working():
    fake = FakeStata()
    pump = OutputPump()
    loop = RunLoop(fake.entry_points(), pump)
    fake.script = [lambda f: f.append(b"boom")]

    def bad_sink(_: str) -> None:
        raise ValueError("sink failed")

    with pytest.raises(ValueError):
        loop.execute("x", bad_sink)
    fake.script = [lambda f: f.append(b"fine\n")]
    got: list[str] = []
    loop.execute("y", got.append)
    assert "".join(got) == "fine\n"


def test_pump_polls_only_while_a_run_is_open():
    fake = FakeStata()
    pump = OutputPump()
    RunLoop(fake.entry_points(), pump).execute("x", lambda _: None)
    reads = pump.stats.reads
    threading.Event().wait(0.02)  # not synchronisation: proves nothing polls while idle
    assert pump.stats.reads == reads


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        ("command foo is unrecognized\nr(199);\n", "command foo is unrecognized"),
        (". display 1\n1\n\n. foo\ncommand foo is unrecognized\nr(199);\n\nr(199);\n", "command foo is unrecognized"),
        ("--Break--\nr(1);\n", "--Break--"),
        (". exit 459\nr(459);\n", ""),
        ("", ""),
        ("table line\n\nvariable x not found\nr(111);", "variable x not found"),
    ],
)
def test_error_message_is_the_text_above_the_rc_line(tail: str, message: str):
    assert error_message(tail) == message
