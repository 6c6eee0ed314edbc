"""The kernel's per-cell path: ipykernel's flushes of sys.stdout/sys.stderr cost nothing when nothing was
written, and still publish what was (issue 14.2)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import zmq
from ipykernel.iostream import IOPubThread, OutStream
from jupyter_client.session import Session

from stata_kernel._compat import flush_only_when_written


@contextmanager
def _stream() -> Iterator[tuple[OutStream, zmq.Socket[bytes], list[object]]]:
    """A patched stdout OutStream on a real iopub thread, a subscriber to what it publishes, and the list of
    what the stream scheduled on that thread; everything is closed afterwards."""
    context: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
    pub = context.socket(zmq.PUB)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(f"tcp://127.0.0.1:{port}")
    thread = IOPubThread(pub)
    thread.start()
    scheduled: list[object] = []
    schedule = thread.schedule

    def counting(f: object) -> None:
        scheduled.append(f)
        schedule(f)  # type: ignore[arg-type]

    thread.schedule = counting  # type: ignore[method-assign]
    stream = OutStream(Session(key=b""), thread, "stdout", watchfd=False)
    flush_only_when_written(stream)
    try:
        yield stream, sub, scheduled
    finally:
        _end_pipe_gc(thread)
        thread.stop()
        thread.close()
        sub.close(linger=0)
        context.term()


def _end_pipe_gc(thread: IOPubThread) -> None:
    """End the iopub thread's event-pipe gc task on its own loop. ipykernel's ``stop`` only cancels it and then
    closes the loop, so the cancelled task is never run to its end and Python prints "Task was destroyed but it
    is pending!" at exit (ipykernel 7)."""
    task = getattr(thread, "_event_pipe_gc_task", None)
    if task is None:
        return
    ended = threading.Event()

    async def end() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        ended.set()

    thread.io_loop.add_callback(end)
    ended.wait(10)


def test_flush_with_nothing_written_never_waits_on_the_iopub_thread() -> None:
    with _stream() as (stream, _sub, scheduled):
        stream.flush()
        stream.flush()
        assert scheduled == []


def test_flush_after_a_write_still_publishes_it() -> None:
    with _stream() as (stream, sub, scheduled):
        texts: list[str] = []
        # A SUB socket misses what is published before its subscription lands: write until one arrives.
        while not texts:
            stream.write("printed by Python\n")
            stream.flush()
            assert scheduled, "a flush after a write must go through the iopub thread"
            if sub.poll(200):
                while sub.poll(0):
                    frames = sub.recv_multipart()
                    texts.append(frames[-1].decode())
        assert "printed by Python" in "".join(texts)
        scheduled.clear()
        stream.flush()  # everything was sent: nothing left to wait for
        assert scheduled == []
