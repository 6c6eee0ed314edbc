"""Interrupts break the running Stata code; the kernel lives on."""

from __future__ import annotations

import os
import signal
import time

from tests.harness import collect, execute


def _wait_for_output(kc, msg_id: str, timeout: float = 30) -> None:
    """Block until the run has produced its first stream message (so Stata is surely running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=deadline - time.monotonic())
        if msg["parent_header"].get("msg_id") == msg_id and msg["header"]["msg_type"] == "stream":
            return
    raise TimeoutError("run produced no output")


def test_twenty_interrupts_in_a_row_each_break_within_200ms(kernel_manager_and_client):
    km, kc = kernel_manager_and_client
    latencies = []
    for i in range(20):
        msg_id = kc.execute(f'display "start {i}"\nsleep 20000\ndisplay "never"')
        _wait_for_output(kc, msg_id)
        asked = time.monotonic()
        km.interrupt_kernel()
        run = collect(kc, msg_id, asked, timeout=30)
        latencies.append(run.reply_at - asked)
        assert run.status == "error"
        assert run.reply["content"]["ename"] == "StataError"
        assert "r(1)" in run.reply["content"]["evalue"]
        assert km.is_alive()
    assert max(latencies) < 0.2, latencies
    after = execute(kc, "display 6*7")
    assert after.status == "ok" and after.text.strip() == "42"


def test_interrupt_when_idle_is_harmless(kernel_manager_and_client):
    km, kc = kernel_manager_and_client
    km.interrupt_kernel()
    run = execute(kc, 'display "still fine"')
    assert run.status == "ok" and "still fine" in run.text


def test_sigint_breaks_the_run_instead_of_killing_the_kernel(kernel_manager_and_client):
    km, kc = kernel_manager_and_client
    msg_id = kc.execute('display "start"\nsleep 20000')
    _wait_for_output(kc, msg_id)
    asked = time.monotonic()
    os.kill(km.provisioner.pid, signal.SIGINT)
    run = collect(kc, msg_id, asked, timeout=30)
    assert run.status == "error" and "r(1)" in run.reply["content"]["evalue"]
    assert km.is_alive()
    assert execute(kc, "display 1").status == "ok"


def test_an_interrupt_during_a_flood_breaks_stata_waiting_for_room_and_loses_nothing(kernel_manager_and_client):
    """Stata prints faster than the kernel sends: its output buffer is full and Stata waits for room (the
    simulated buffer holds 4 MiB, as a real one is bounded). An interrupt then still breaks the run at once,
    what Stata printed before the break still reaches the client in order, and the kernel serves the next cell."""
    km, kc = kernel_manager_and_client
    line = 80
    msg_id = kc.execute(f"_sim_flood, bytes(2000000000) linelen({line})")  # 2 GB: runs until interrupted
    received = 0
    texts: list[str] = []
    deadline = time.monotonic() + 60
    while received < 12 * 1024 * 1024:  # three times the buffer: Stata has surely waited for room by now
        msg = kc.get_iopub_msg(timeout=deadline - time.monotonic())
        if msg["parent_header"].get("msg_id") == msg_id and msg["header"]["msg_type"] == "stream":
            texts.append(msg["content"]["text"])
            received += len(msg["content"]["text"])
    asked = time.monotonic()
    km.interrupt_kernel()
    run = collect(kc, msg_id, asked, timeout=60)
    assert run.status == "error" and "r(1)" in run.reply["content"]["evalue"]
    assert run.reply_at - asked < 5.0  # the buffered output (≤ 4 MiB and the kernel's own queue) drains first
    text = "".join(texts) + run.text
    sequence = [int(row[4:12]) for row in text.splitlines() if row.startswith("SEQ ") and len(row) == line - 1]
    assert sequence[:1] == [1] and sequence == list(range(1, len(sequence) + 1))  # nothing lost, order kept
    assert len(sequence) * line >= received - line  # every complete line up to the break arrived
    assert len(sequence) * line < 1_000_000_000  # and the run did stop
    assert "--Break--" in text
    assert km.is_alive()
    after = execute(kc, "display 6*7")
    assert after.status == "ok" and after.text.strip() == "42"
