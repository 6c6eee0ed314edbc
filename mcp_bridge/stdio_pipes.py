"""stdin and stdout served by the event loop itself, so no message crosses a worker thread.

The SDK's stdio transport reads and writes the standard streams through anyio's file wrapper: every
line read, every message written and every flush is a call in a worker thread. That is three thread
hand-offs for a call and two more per progress notification; on a small machine they cost about a
millisecond of each ``stata_run`` (bench/RESULTS.md, the MCP breakdown). ``stdio_server`` takes the
two streams as arguments; this module gives it objects with the same methods (``async for line``,
``write``, ``flush``) backed by asyncio pipe transports: a write goes out at once when the pipe has
room and waits for room when it does not (a slow client slows the bridge, never blocks its loop).

Used only on POSIX systems and only when both standard streams are pipes or sockets, as every MCP
client starts a server: Windows, a terminal, a file, or a stdout that is also stderr (``2>&1``) keep the
SDK's threaded files (asyncio needs non-blocking descriptors, and such a descriptor is shared). Like the SDK, the
wire gets private descriptors: fd 0 reads the null device and fd 1 writes to stderr while serving, so
stray output (a library's ``print``, a child process) cannot corrupt the protocol; both are restored
on exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import sys
from collections.abc import AsyncIterator

if sys.platform != "win32":
    import fcntl

READ_CHUNK = 256 * 1024
CLOSE_TIMEOUT_S = 5.0


def shares_stderr(fd: int) -> bool:
    """True when ``fd`` is the very pipe stderr writes to (``2>&1``): making it non-blocking would make every
    log line of the bridge (and of its kernel, which inherits stderr) fail when the pipe is full."""
    try:
        a, b = os.fstat(fd), os.fstat(2)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def usable(fd: int) -> bool:
    """True when ``fd`` is a pipe or a socket (what MCP clients give a server they spawn), on POSIX."""
    if sys.platform == "win32":  # asyncio's pipe transports there are the proactor's, for its own pipes only
        return False
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


class LineReader:
    """stdin as lines of text (``async for line in reader``), each with its newline, like a text file."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer known to hold no newline (a long line is scanned once)
        self._eof = False

    def __aiter__(self) -> LineReader:
        return self

    async def __anext__(self) -> str:
        while True:
            end = self._buffer.find(b"\n", self._scanned)
            if end >= 0:
                line = self._buffer[: end + 1].decode("utf-8", errors="replace")  # never ends inside a character
                del self._buffer[: end + 1]
                self._scanned = 0
                return line
            if self._eof:
                if not self._buffer:
                    raise StopAsyncIteration
                line = self._buffer.decode("utf-8", errors="replace")
                self._buffer.clear()
                return line
            self._scanned = len(self._buffer)
            chunk = await self._reader.read(READ_CHUNK)
            if chunk:
                self._buffer += chunk
            else:
                self._eof = True


class PipeWriter:
    """stdout as ``write`` / ``flush``: a write is handed to the pipe at once; it waits only while the
    pipe is full (the client is not reading)."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def write(self, text: str) -> None:
        if self._writer.transport.is_closing():
            raise BrokenPipeError("the client closed the bridge's stdout")
        self._writer.write(text.encode("utf-8"))
        await self.flush()

    async def flush(self) -> None:
        try:
            await self._writer.drain()
        except ConnectionResetError as exc:  # asyncio's word for it; the bridge ends quietly on a broken pipe
            raise BrokenPipeError("the client closed the bridge's stdout") from exc

    async def aclose(self) -> None:
        """Let what is buffered go out (bounded in time: the client may have stopped reading)."""
        self._writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer.wait_closed(), CLOSE_TIMEOUT_S)


@contextlib.asynccontextmanager
async def pipe_stdio() -> AsyncIterator[tuple[LineReader, PipeWriter] | tuple[None, None]]:
    """The wire as (reader, writer) for ``stdio_server(stdin=, stdout=)``; (None, None) when the standard
    streams are not both pipes or sockets (``stdio_server`` then uses the SDK's own files)."""
    if not (usable(0) and usable(1)) or shares_stderr(1):
        yield None, None
        return
    wire_in = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 3)
    wire_out = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, 3)
    saved_in = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 3)
    saved_out = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, 3)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=READ_CHUNK, loop=loop)
    in_file = os.fdopen(wire_in, "rb", buffering=0)
    out_file = os.fdopen(wire_out, "wb", buffering=0)
    try:
        read_transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader, loop=loop), in_file
        )
        write_transport, write_protocol = await loop.connect_write_pipe(
            lambda: asyncio.StreamReaderProtocol(asyncio.StreamReader(loop=loop), loop=loop), out_file
        )
        writer = PipeWriter(asyncio.StreamWriter(write_transport, write_protocol, None, loop))
        try:
            yield LineReader(reader), writer
        finally:
            read_transport.close()
            await writer.aclose()
    finally:
        for fd, saved in ((0, saved_in), (1, saved_out)):
            with contextlib.suppress(OSError):
                os.set_blocking(saved, True)  # the transports made the shared description non-blocking
                os.dup2(saved, fd)
            with contextlib.suppress(OSError):
                os.close(saved)
        for file in (in_file, out_file):
            with contextlib.suppress(OSError):
                file.close()
