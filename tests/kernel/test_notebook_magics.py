"""Magics through real ZMQ: %help, %quietly/%%quietly, %%noecho, %set, %locals, %status, unknown magics."""

from __future__ import annotations

import re

import pytest

from tests.harness import execute
from tests.kernel.notebook_support import stderr_text

LOOP_CELL = 'display "start"\nforvalues i = 1/2 {\n    display "item `i\'"\n}\nlist make in 1/2'


@pytest.fixture
def kc(kernel):
    assert execute(kernel, "sysuse auto, clear").status == "ok"
    yield kernel
    execute(kernel, "%set echo on")


def test_help_lists_every_magic(kc):
    text = execute(kc, "%help").text
    for usage in ("%browse", "%head", "%tail", "%describe", "%quietly", "%%quietly", "%%noecho", "%set",
                  "%locals", "%status", "%help"):
        assert re.search(rf"^  {re.escape(usage)}\b", text, re.M), usage


def test_help_documents_the_default_echo_behaviour(kc):
    assert "by default multi-line cells show Stata's '. command' echo lines" in execute(kc, "%help").text


def test_quietly_line_magic_silences_only_its_own_line(kc):
    run = execute(kc, '%quietly display "hidden"\ndisplay "shown"')
    assert run.status == "ok"
    assert "hidden" not in run.text and "shown" in run.text


def test_quietly_line_magic_still_runs_the_code(kc):
    execute(kc, "%quietly local secret 42")
    assert execute(kc, "display `secret'").text.strip() == "42"


def test_quietly_cell_magic_hides_the_output_of_the_whole_cell(kc):
    run = execute(kc, '%%quietly\ndisplay "a"\ndisplay "b"')
    assert run.status == "ok"
    assert run.text == ""


def test_quietly_cell_magic_still_reports_errors(kc):
    run = execute(kc, "%%quietly\ndisplay 1\nnosuchcommand")
    assert run.status == "error"
    assert "r(199)" in run.reply["content"]["evalue"]


def test_echo_lines_are_kept_by_default(kc):
    run = execute(kc, LOOP_CELL)
    assert '. display "start"' in run.text
    assert re.search(r"^  2\.", run.text, re.M)


def test_noecho_removes_echo_lines_but_keeps_all_output(kc):
    run = execute(kc, "%%noecho\n" + LOOP_CELL)
    assert run.status == "ok"
    assert not re.search(r"^\. ", run.text, re.M)
    assert "display" not in run.text
    lines = run.text.splitlines()
    assert lines[:3] == ["start", "item 1", "item 2"]
    # numbered rows of list output are output, not echo
    assert any(re.match(r"\s+1\. \| AMC Concord", line) for line in lines)
    assert any(re.match(r"\s+2\. \| AMC Pacer", line) for line in lines)


def test_set_echo_off_applies_to_the_following_cells(kc):
    assert execute(kc, "%set echo off").status == "ok"
    run = execute(kc, 'display "x"\ndisplay "y"')
    assert run.text.split() == ["x", "y"]


def test_echo_cell_magic_keeps_echo_when_it_is_off(kc):
    execute(kc, "%set echo off")
    assert '. display "x"' in execute(kc, '%%echo\ndisplay "x"\ndisplay "y"').text


def test_the_end_of_file_prompt_is_not_shown(kc):
    run = execute(kc, 'display "x"\ndisplay "last"')
    assert run.text.rstrip().endswith("last")


def test_set_lists_the_settings_with_their_values(kc):
    text = execute(kc, "%set").text
    for name in ("graph_format", "graph_width", "graph_height", "echo", "browse_rows"):
        assert re.search(rf"^{name}\s+\S+", text, re.M), name


def test_set_rejects_an_unknown_setting_with_a_magic_error(kc):
    run = execute(kc, "%set colour blue")
    assert run.status == "error"
    assert run.reply["content"]["ename"] == "MagicError"
    assert "unknown setting 'colour'" in run.reply["content"]["evalue"]


def test_set_rejects_a_bad_value_and_says_what_is_allowed(kc):
    run = execute(kc, "%set graph_width huge")
    assert run.reply["content"]["ename"] == "MagicError"
    assert "whole number" in run.reply["content"]["evalue"]


def test_an_unknown_magic_is_a_magic_error(kc):
    run = execute(kc, "%nosuchmagic")
    assert run.status == "error"
    assert run.reply["content"]["ename"] == "MagicError"
    assert "unknown magic %nosuchmagic" in run.reply["content"]["evalue"]
    assert "%help" in run.reply["content"]["evalue"]


def test_a_cell_magic_used_as_a_line_magic_says_how_to_use_it(kc):
    run = execute(kc, "%noecho\ndisplay 1")
    assert run.reply["content"]["ename"] == "MagicError"
    assert "%%noecho" in run.reply["content"]["evalue"]


def test_an_unknown_magic_stops_the_cell_before_any_stata_code(kc):
    execute(kc, "global ran 0")
    execute(kc, "%nosuchmagic\nglobal ran 1")
    assert execute(kc, "display $ran").text.strip() == "0"


def test_locals_lists_local_macros_with_their_values(kc):
    execute(kc, 'local greeting "hello world"\nlocal n 3')
    text = execute(kc, "%locals").text
    assert re.search(r"^greeting\s+: hello world$", text, re.M)
    assert re.search(r"^n\s+: 3$", text, re.M)


def test_status_names_the_engine_the_delimiter_and_the_data(kc):
    text = execute(kc, "%status").text
    assert "SIMULATED Stata" in text
    assert "#delimit: cr" in text
    assert "variables in memory: 12" in text


def test_line_magics_and_stata_code_share_a_cell(kc):
    run = execute(kc, '%set browse_rows 50\ndisplay "after"')
    assert run.status == "ok"
    assert "browse_rows = 50" in run.text and "after" in run.text
    execute(kc, "%set browse_rows 200")


def test_magic_output_goes_to_stdout_not_stderr(kc):
    run = execute(kc, "%help")
    assert stderr_text(run) == ""


def test_a_bad_magic_anywhere_at_the_top_stops_the_magics_before_it_too(kc):
    execute(kc, "%set browse_rows 200")
    run = execute(kc, "%set browse_rows 7\n%nosuchmagic\ndisplay 1")
    assert run.reply["content"]["ename"] == "MagicError"
    assert re.search(r"^browse_rows\s+200\b", execute(kc, "%set").text, re.M)
