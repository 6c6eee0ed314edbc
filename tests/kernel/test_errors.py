"""Stata errors follow the contract: status error, one error message, ename stable, evalue with r(N)."""

from __future__ import annotations

import re

from tests.harness import execute


def test_unknown_command_gives_error_reply_with_return_code(kernel):
    run = execute(kernel, "foo_not_a_command")
    assert run.status == "error"
    content = run.reply["content"]
    assert content["ename"] == "StataError"
    assert re.search(r"r\(199\)", content["evalue"])


def test_error_is_published_once_on_iopub(kernel):
    run = execute(kernel, "foo_not_a_command")
    errors = run.of_type("error")
    assert len(errors) == 1
    assert errors[0]["content"]["ename"] == "StataError"
    assert "r(199)" in errors[0]["content"]["evalue"]


def test_error_in_multiline_code_reports_its_code_and_keeps_earlier_output(kernel):
    run = execute(kernel, 'display "before"\nerror 111\ndisplay "after"')
    assert run.status == "error"
    assert "r(111)" in run.reply["content"]["evalue"]
    assert "before" in run.text
    assert "after\n" not in run.text.replace('display "after"', "")


def test_execution_count_increments_on_success_and_error(kernel):
    first = execute(kernel, "display 1").reply["content"]["execution_count"]
    second = execute(kernel, "foo_not_a_command").reply["content"]["execution_count"]
    third = execute(kernel, "display 3").reply["content"]["execution_count"]
    assert (second, third) == (first + 1, first + 2)


def test_kernel_keeps_working_after_an_error(kernel):
    execute(kernel, "foo_not_a_command")
    run = execute(kernel, "display 2+2")
    assert run.status == "ok"
    assert run.text.strip() == "4"
