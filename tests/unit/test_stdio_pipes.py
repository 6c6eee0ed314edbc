"""The bridge's stdio served by the event loop (``mcp_bridge.stdio_pipes``): lines, back-pressure, the fd claim.

Real pipes and real processes throughout; the end-to-end MCP behaviour over stdio is covered by every
bridge test that starts the bridge through the SDK client (which gives it pipes).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio
import pytest

from mcp_bridge.stdio_pipes import READ_CHUNK, LineReader, PipeWriter, usable

REPO = Path(__file__).resolve().parents[2]


async def _reader_of(fd: int) -> LineReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=READ_CHUNK)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", buffering=0))
    return LineReader(reader)


async def _writer_of(fd: int) -> PipeWriter:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.connect_write_pipe(
        lambda: asyncio.StreamReaderProtocol(asyncio.StreamReader()), os.fdopen(fd, "wb", buffering=0)
    )
    return PipeWriter(asyncio.StreamWriter(transport, protocol, None, loop))


def test_lines_come_whole_whatever_the_pieces():
    """Split writes, a line longer than a read, a character split across writes, bad bytes, no final newline."""
    long_line = "x" * (3 * READ_CHUNK + 17) + "\n"
    pieces = [b'{"a": 1', b'}\n{"b"', b": 2}\n", long_line.encode(), "é".encode()[:1], "é".encode()[1:] + b"\n",
              b"\xff\xfe bad\n", b"last, no newline"]

    async def main() -> list[str]:
        read_fd, write_fd = os.pipe()
        lines = await _reader_of(read_fd)

        def feed() -> None:
            with os.fdopen(write_fd, "wb", buffering=0) as out:
                for piece in pieces:
                    out.write(piece)

        got: list[str] = []
        async with anyio.create_task_group() as tg:
            tg.start_soon(anyio.to_thread.run_sync, feed)
            async for line in lines:
                got.append(line)
        return got

    got = anyio.run(main)
    assert got == ['{"a": 1}\n', '{"b": 2}\n', long_line, "é\n", "\ufffd\ufffd bad\n", "last, no newline"]


def test_a_full_pipe_makes_the_writer_wait_without_blocking_the_loop():
    """A client that does not read: the write waits (the loop keeps running other tasks); reading frees it."""

    async def main() -> tuple[bool, int, bool]:
        read_fd, write_fd = os.pipe()
        writer = await _writer_of(write_fd)
        big = "y" * (4 * 1024 * 1024) + "\n"  # far more than a pipe holds
        ticks = 0
        done = anyio.Event()

        async def write() -> None:
            await writer.write(big)
            done.set()

        async def tick() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await anyio.sleep(0.001)

        async with anyio.create_task_group() as tg:
            tg.start_soon(write)
            tg.start_soon(tick)
            while ticks < 20:  # the loop runs while the write waits for room
                await anyio.sleep(0.001)
            waited = not done.is_set()
            received = 0
            with os.fdopen(read_fd, "rb", buffering=0) as source:
                while received < len(big):
                    chunk = await anyio.to_thread.run_sync(source.read, 1 << 20)
                    received += len(chunk)
            await done.wait()
        await writer.aclose()
        return waited, received, done.is_set()

    waited, received, finished = anyio.run(main)
    assert waited and finished
    assert received == 4 * 1024 * 1024 + 1


def test_a_closed_client_is_a_broken_pipe():
    """The bridge ends quietly on BrokenPipeError (``__main__``); asyncio's ConnectionResetError is renamed."""

    async def main() -> None:
        read_fd, write_fd = os.pipe()
        writer = await _writer_of(write_fd)
        await writer.write("first\n")
        os.close(read_fd)
        with pytest.raises(BrokenPipeError):
            for _ in range(10):  # the loss is seen at the latest on the write after the failing one
                await writer.write("more\n" * 1000)
                await anyio.sleep(0.01)
        await writer.aclose()

    anyio.run(main)


def test_only_pipes_and_sockets_are_served_by_the_loop(tmp_path):
    read_fd, write_fd = os.pipe()
    left, right = socket.socketpair()
    with open(tmp_path / "f", "wb") as regular:
        try:
            assert usable(read_fd) and usable(write_fd) and usable(left.fileno())
            assert not usable(regular.fileno())
            assert not usable(9999)
        finally:
            os.close(read_fd)
            os.close(write_fd)
            left.close()
            right.close()


_CLAIM_SCRIPT = textwrap.dedent(
    """
    import anyio, os, sys
    from mcp_bridge.stdio_pipes import pipe_stdio

    async def main():
        async with pipe_stdio() as (reader, writer):
            if reader is None:
                print("not served by the loop", flush=True)
            else:
                print("stray print while serving", flush=True)  # must not reach the wire
                os.write(1, b"stray fd 1 write\\n")
                async for line in reader:
                    await writer.write("echo " + line)
        print("after serving", flush=True)  # fd 1 is the wire again

    anyio.run(main)
    """
)


def _claim(tmp_path: Path, **stdin: object) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", _CLAIM_SCRIPT], capture_output=True, env=env, timeout=60,
                          cwd=tmp_path, **stdin)  # type: ignore[call-overload]


def test_stray_output_goes_to_stderr_and_the_wire_comes_back(tmp_path):
    proc = _claim(tmp_path, input=b'{"n": 1}\n{"n": 2}\n')
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().splitlines() == ['echo {"n": 1}', 'echo {"n": 2}', "after serving"]
    assert "stray print while serving" in proc.stderr.decode()
    assert "stray fd 1 write" in proc.stderr.decode()


def test_a_file_on_stdin_keeps_the_sdk_streams(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"n": 1}) + "\n")
    with open(source, "rb") as stdin:
        proc = _claim(tmp_path, stdin=stdin)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().splitlines() == ["not served by the loop", "after serving"]


def test_windows_keeps_the_sdk_streams(monkeypatch):
    """asyncio's pipe transports on Windows are the proactor's, for its own pipes: the SDK's files serve there."""
    read_fd, write_fd = os.pipe()
    try:
        assert usable(read_fd)
        monkeypatch.setattr(sys, "platform", "win32")
        assert not usable(read_fd)
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_a_stdout_that_is_also_stderr_keeps_the_sdk_streams(tmp_path):
    """``2>&1``: the pipe would turn non-blocking for stderr too, and log lines would fail when it is full."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", _CLAIM_SCRIPT], input=b"", stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout.decode()
    assert proc.stdout.decode().splitlines() == ["not served by the loop", "after serving"]
