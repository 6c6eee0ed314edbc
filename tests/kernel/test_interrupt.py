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
