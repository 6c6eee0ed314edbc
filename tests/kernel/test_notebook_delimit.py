"""``#delimit ;`` across cells, end to end: the kernel tracks the delimiter and rewrites each cell."""

from __future__ import annotations

import pytest

from tests.harness import execute


@pytest.fixture
def kc(kernel):
    yield kernel
    execute(kernel, "#delimit cr")  # every test starts and ends under cr


def test_a_statement_spanning_lines_runs_as_one_after_delimit_semicolon(kc):
    assert execute(kc, "#delimit ;").status == "ok"
    run = execute(kc, 'display "sum: "\n    1 + 2\n    + 3;')
    assert run.status == "ok", run.reply["content"]
    assert "sum: 6" in run.text


def test_the_delimiter_persists_over_several_cells(kc):
    execute(kc, "#delimit ;")
    assert "11" in execute(kc, "display 5\n+ 6;").text
    assert "21" in execute(kc, "display 10\n+ 11;").text


def test_several_statements_on_one_line_run_in_order(kc):
    execute(kc, "#delimit ;")
    text = execute(kc, 'display "first"; display "second";').text
    assert text.index("first") < text.index("second")


def test_delimit_cr_restores_one_statement_per_line(kc):
    execute(kc, "#delimit ;")
    assert execute(kc, "#delimit cr").status == "ok"
    run = execute(kc, "display 1\ndisplay 2")
    assert run.status == "ok"
    assert "1\n" in run.text and "2\n" in run.text


def test_a_delimit_change_inside_a_cell_applies_to_its_later_lines_and_the_next_cells(kc):
    run = execute(kc, "display 1\n#delimit ;\ndisplay 2\n + 3;")
    assert run.status == "ok"
    assert "5" in run.text
    assert "9" in execute(kc, "display 4\n + 5;").text


def test_a_loop_under_delimit_semicolon_runs_every_iteration(kc):
    execute(kc, "#delimit ;")
    run = execute(kc, "forvalues i = 1/3 {;\n  display \"it\"\n   `i';\n};")
    assert run.status == "ok", run.reply["content"]
    assert [line for line in run.text.splitlines() if line.startswith("it")] == ["it1", "it2", "it3"]
