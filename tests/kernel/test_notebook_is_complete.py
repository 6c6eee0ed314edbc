"""is_complete through real ZMQ on the cases that trip up line-based frontends like jupyter console."""

from __future__ import annotations

import pytest

from tests.harness import execute
from tests.kernel.notebook_support import interrupt_and_collect, is_complete, shell_reply, start_long_run


@pytest.fixture(scope="module")
def km(kernel_manager_and_client):
    return kernel_manager_and_client[0]


@pytest.fixture(scope="module")
def kc(kernel_manager_and_client):
    return kernel_manager_and_client[1]


@pytest.mark.parametrize("code", [
    'display "{"',
    'display "}{{"',
    "display `\"a { b\"'",
    "display 1 // {",
    "* a comment with { brace",
    "display 1 /* { */",
    "/* a /* nested */ comment */ display 1",
])
def test_braces_inside_strings_and_comments_do_not_open_blocks(kc, code):
    assert is_complete(kc, code)["status"] == "complete"


def test_an_open_brace_asks_for_more_with_an_indent(kc):
    reply = is_complete(kc, "forvalues i = 1/3 {")
    assert reply["status"] == "incomplete"
    assert reply["indent"] == "    "


def test_nested_open_braces_indent_deeper(kc):
    reply = is_complete(kc, "forvalues i = 1/3 {\n  foreach j in a b {")
    assert (reply["status"], reply["indent"]) == ("incomplete", "        ")


def test_a_nested_comment_stays_open_until_every_level_closes(kc):
    assert is_complete(kc, "/* outer /* inner */ still outer")["status"] == "incomplete"
    assert is_complete(kc, "/* outer /* inner */ still outer */")["status"] == "complete"


def test_a_triple_slash_continues_the_line(kc):
    assert is_complete(kc, "display 1 + ///")["status"] == "incomplete"


def test_a_stray_closing_brace_is_invalid(kc):
    assert is_complete(kc, "}")["status"] == "invalid"


def test_under_delimit_semicolon_a_statement_needs_its_semicolon(kc):
    assert execute(kc, "#delimit ;").status == "ok"
    try:
        assert is_complete(kc, "display 1")["status"] == "incomplete"
        assert is_complete(kc, "display 1\n + 2")["status"] == "incomplete"
        assert is_complete(kc, "display 1\n + 2;")["status"] == "complete"
    finally:
        assert execute(kc, "#delimit cr").status == "ok"
    assert is_complete(kc, "display 1")["status"] == "complete"


def test_is_complete_answers_while_a_cell_runs(km, kc):
    msg_id, sent_at = start_long_run(kc)
    reply, earlier = shell_reply(kc, kc.is_complete("forvalues i = 1/3 {"))
    assert "execute_reply" not in earlier
    assert reply["content"]["status"] == "incomplete"
    interrupt_and_collect(km, kc, msg_id, sent_at)


def test_a_magic_line_is_complete_even_under_delimit_semicolon(kc):
    assert execute(kc, "#delimit ;").status == "ok"
    try:
        assert is_complete(kc, "%head 3")["status"] == "complete"
        assert is_complete(kc, "%%noecho\ndisplay 1")["status"] == "incomplete"
        assert is_complete(kc, "%%noecho\ndisplay 1;")["status"] == "complete"
    finally:
        execute(kc, "#delimit cr")


def test_a_cell_magic_waits_for_its_open_block(kc):
    assert is_complete(kc, "%%quietly\nforvalues i = 1/3 {")["status"] == "incomplete"
