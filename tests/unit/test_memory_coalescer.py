"""The kernel's send path holds a bounded amount: a writer waits for room while a send is in progress."""

from __future__ import annotations

import threading
from collections.abc import Callable

from stata_kernel.streaming import Coalescer


class SignallingCondition(threading.Condition):
    """A condition that says when a thread starts waiting on it (so the test needs no sleep)."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()

    def wait_for(self, predicate: Callable[[], object], timeout: float | None = None) -> bool:
        if not predicate():
            self.waiting.set()
        return bool(super().wait_for(predicate, timeout))


def test_a_writer_waits_for_room_instead_of_queueing_without_bound() -> None:
    sent: list[str] = []
    condition = SignallingCondition()
    writer_blocked = threading.Event()
    first_send = threading.Event()

    def send(chunk: str) -> None:
        sent.append(chunk)
        if len(sent) == 1:  # hold the first send until the other writer had to wait for room
            first_send.set()
            if condition.waiting.wait(10):
                writer_blocked.set()

    coalescer = Coalescer(send, max_pending=1_000)
    coalescer._lock = condition  # observes the wait, changes nothing else
    pieces = [f"{i:099d}\n" for i in range(200)]  # 100 characters each
    sender = threading.Thread(target=coalescer.write, args=("first\n",))
    sender.start()
    assert first_send.wait(10)  # the sender thread is now inside its (held) first send
    writer = threading.Thread(target=lambda: [coalescer.write(p) for p in pieces])
    writer.start()
    writer.join(20)
    sender.join(20)
    assert writer_blocked.is_set() and coalescer.waits >= 1
    assert all(len(chunk) <= 1_000 for chunk in sent)
    assert "".join(sent) == "first\n" + "".join(pieces)  # nothing dropped, order kept


def test_the_sending_thread_never_waits_on_itself() -> None:
    coalescer: Coalescer
    sent: list[str] = []

    def send(chunk: str) -> None:
        sent.append(chunk)
        if len(sent) == 1:
            coalescer.write("y" * 5_000)  # a write from inside the send (same thread): queued, no deadlock

    coalescer = Coalescer(send, max_pending=1_000)
    coalescer.write("x" * 5_000)
    assert sent == ["x" * 5_000, "y" * 5_000] and coalescer.waits == 0
