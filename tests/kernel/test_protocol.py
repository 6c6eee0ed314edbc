"""Protocol details frontends rely on: kernel_info, language_info, is_complete while running."""

from __future__ import annotations

import time

from tests.harness import collect


def test_kernel_info_is_honest_about_features(kernel):
    kernel.kernel_info()
    reply = kernel.get_shell_msg(timeout=10)
    content = reply["content"]
    assert content["implementation"] == "stata-live"
    assert content.get("supported_features", []) == []
    info = content["language_info"]
    assert info["name"] == "stata"
    assert info["file_extension"] == ".do"
    assert info["pygments_lexer"] == "stata"
    assert "SIMULATED" in content["banner"]


def test_is_complete_answers_at_once_while_code_runs(kernel):
    run_id = kernel.execute('display "busy"\nsleep 3000\ndisplay "end"')
    # Wait until the run is really going (its first output), then ask.
    while True:
        msg = kernel.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == run_id and msg["header"]["msg_type"] == "stream":
            break
    asked = time.monotonic()
    check_id = kernel.is_complete("forvalues i = 1/3 {")
    replies = {}
    while check_id not in replies:
        reply = kernel.get_shell_msg(timeout=30)
        replies[reply["parent_header"]["msg_id"]] = (time.monotonic(), reply)
    answered_at, reply = replies[check_id]
    assert reply["content"]["status"] == "incomplete"
    assert answered_at - asked < 1.0
    assert run_id not in replies, "is_complete waited for the running cell"
    run = collect(kernel, run_id, asked)
    assert run.status == "ok"


def test_is_complete_reports_complete_code(kernel):
    kernel.is_complete('display "done"')
    reply = kernel.get_shell_msg(timeout=10)
    assert reply["content"]["status"] == "complete"
