"""The small pieces under the engine: coalescing."""

from __future__ import annotations

import threading

from stata_kernel.streaming import Coalescer


def test_coalescer_sends_at_once_when_idle():
    sent: list[str] = []
    c = Coalescer(sent.append)
    c.write("a")
    c.write("b")
    assert sent == ["a", "b"]


def test_coalescer_batches_only_what_arrives_during_a_send():
    sent: list[str] = []
    in_send = threading.Event()
    release = threading.Event()

    def slow_send(text: str) -> None:
        sent.append(text)
        if len(sent) == 1:
            in_send.set()
            release.wait(5)

    c = Coalescer(slow_send)
    t = threading.Thread(target=c.write, args=("first",))
    t.start()
    in_send.wait(5)
    c.write("x")  # arrives while "first" is being sent: queued, returns at once
    c.write("y")
    release.set()
    t.join(5)
    assert sent == ["first", "xy"]


def test_coalescer_on_a_sender_thread_is_in_flight_until_sent():
    sent: list[str] = []
    queued: list = []
    c = Coalescer(sent.append, schedule=queued.append)
    assert not c.in_flight
    c.write("a")
    c.write("b")  # arrives before the sender ran: joined
    assert c.in_flight and sent == []
    queued.pop(0)()
    assert sent == ["ab"] and not c.in_flight
