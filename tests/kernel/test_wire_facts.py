"""The kernel sends what it knows as data (``stata_kernel.syntax.wire``): rc, kind, failing line and command,
graph names and formats; nobody has to parse them back out of the text."""

from __future__ import annotations

from typing import Any

from stata_kernel.syntax import wire
from tests.harness import execute


def _facts(kc: Any, code: str) -> dict[str, Any]:
    run = execute(kc, code)
    assert run.status == "error"
    [error] = run.of_type("error")
    assert error["content"][wire.STATA] == run.reply["content"][wire.STATA]  # error and execute_reply agree
    return dict(error["content"][wire.STATA])


def test_error_facts_carry_rc_kind_line_and_command(kernel):
    facts = _facts(kernel, 'display "a"\n\nfoo_not_a_command 1\ndisplay "b"')
    assert facts == {wire.RC: 199, wire.KIND: "StataError", wire.MESSAGE: "command foo_not_a_command is unrecognized",
                     wire.LINE: 3, wire.COMMAND: "foo_not_a_command 1"}


def test_failing_line_is_right_with_echo_off(kernel):
    try:
        execute(kernel, "%set echo off")
        run_facts = _facts(kernel, 'display "a"\ndisplay "b"\nerror 111\ndisplay "c"')
    finally:
        execute(kernel, "%set echo on")
    assert (run_facts[wire.LINE], run_facts[wire.COMMAND]) == (3, "error 111")


def test_failing_line_counts_the_cell_lines_under_a_delimit_left_on_by_an_earlier_cell(kernel):
    execute(kernel, "#delimit ;")
    try:
        facts = _facts(kernel, 'display "a";\ndisplay\n  "b";\n\nerror 198;\ndisplay "c";')
    finally:
        execute(kernel, "#delimit cr")
    assert facts[wire.LINE] == 5
    assert facts[wire.RC] == 198


def test_failing_line_counts_magic_lines_above_the_code(kernel):
    facts = _facts(kernel, '%%noecho\ndisplay "a"\nerror 459')
    assert facts[wire.LINE] == 3


def test_graph_display_names_the_graph_and_its_formats(kernel):
    run = execute(kernel, "sysuse auto, clear\nscatter price mpg, name(prices)")
    assert run.status == "ok"
    [display] = run.of_type("display_data")
    facts = display["content"]["metadata"][wire.STATA]
    assert facts[wire.GRAPH] == "prices"
    assert facts[wire.FORMATS] and all(isinstance(f, str) for f in facts[wire.FORMATS])
    assert display["content"]["metadata"][wire.LEGACY_GRAPH] == "prices"
