"""Interrupts pressed at the edges of a cell: right after starting it (never lost), or just before it
(never breaking it). Control messages can overtake shell messages, so both orders must be handled."""

from __future__ import annotations

import time

import pytest

from tests.harness import collect, execute


@pytest.mark.parametrize("attempt", range(5))
def test_an_interrupt_sent_right_after_execute_breaks_that_cell(kernel_manager_and_client, attempt):
    km, kc = kernel_manager_and_client
    sent_at = time.monotonic()
    msg_id = kc.execute("sleep 20000")
    km.interrupt_kernel()  # no wait: it may reach the kernel before or after the execute request
    run = collect(kc, msg_id, sent_at, timeout=15)
    assert run.status == "error"
    assert run.reply["content"]["evalue"].endswith("r(1);")
    assert execute(kc, "display 6*7").text.strip() == "42"


@pytest.mark.parametrize("attempt", range(5))
def test_an_interrupt_sent_just_before_execute_does_not_break_the_cell(kernel_manager_and_client, attempt):
    km, kc = kernel_manager_and_client
    km.interrupt_kernel()
    run = execute(kc, 'display "one"\ndisplay "two"')
    assert run.status == "ok", run.reply["content"]
    assert "two" in run.text
