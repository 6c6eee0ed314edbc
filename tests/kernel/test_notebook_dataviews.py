"""%browse, %head, %tail and %describe through real ZMQ: HTML and text tables of the data in memory."""

from __future__ import annotations

import re

import pytest

from tests.harness import execute
from tests.kernel.notebook_support import displays


@pytest.fixture
def kc(kernel):
    assert execute(kernel, "sysuse auto, clear").status == "ok"
    yield kernel
    execute(kernel, "%set browse_rows 200")


def _table(run) -> tuple[str, str]:
    assert run.status == "ok", run.reply["content"]
    (shown,) = displays(run)
    return shown["data"]["text/html"], shown["data"]["text/plain"]


def _row_numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr><th style="text-align:right">(\d+)</th>', html)]


def test_head_shows_the_first_rows_as_html_and_text(kc):
    html, text = _table(execute(kc, "%head 3"))
    assert _row_numbers(html) == [1, 2, 3]
    assert "<th title=\"Make and model\">make</th>" in html
    assert "AMC Concord" in text and "AMC Spirit" in text


def test_head_without_a_count_shows_five_rows(kc):
    html, _ = _table(execute(kc, "%head"))
    assert _row_numbers(html) == [1, 2, 3, 4, 5]


def test_tail_shows_the_last_rows(kc):
    html, text = _table(execute(kc, "%tail 2"))
    assert _row_numbers(html) == [73, 74]
    assert "Volvo 260" in text


def test_browse_selects_variables_rows_and_a_range(kc):
    html, text = _table(execute(kc, "%browse make price if price > 10000 in 1/20"))
    assert re.findall(r"<th(?: title=\"[^\"]*\")?>(\w+)</th>", html) == ["make", "price"]
    assert _row_numbers(html) == [9, 11, 12, 13]
    assert "Buick Riviera" in text and "10,372" in text


def test_browse_expands_wildcards_and_abbreviations(kc):
    html, _ = _table(execute(kc, "%browse m* tru in 1"))
    assert re.findall(r"<th(?: title=\"[^\"]*\")?>(\w+)</th>", html) == ["make", "mpg", "trunk"]


def test_browse_shows_value_labels_unless_told_not_to(kc):
    _, labelled = _table(execute(kc, "%browse foreign in 74"))
    _, raw = _table(execute(kc, "%browse foreign in 74, nolabel"))
    assert "Foreign" in labelled.splitlines()[-1]
    assert raw.splitlines()[-1].split()[-1] == "1"


def test_browse_caps_rows_and_says_so(kc):
    execute(kc, "%set browse_rows 10")
    html, text = _table(execute(kc, "%browse"))
    assert _row_numbers(html) == list(range(1, 11))
    assert "showing 10 of 74" in html and "showing 10 of 74" in text
    assert "%set browse_rows" in text


def test_browse_n_option_limits_rows(kc):
    html, text = _table(execute(kc, "%browse price, n(4)"))
    assert _row_numbers(html) == [1, 2, 3, 4]
    assert "showing 4 of 74" in text


def test_browse_with_an_unknown_variable_is_a_clear_error(kc):
    run = execute(kc, "%browse nosuchvar")
    assert run.status == "error"
    assert run.reply["content"]["ename"] == "DataViewError"
    assert "variable nosuchvar not found" in run.reply["content"]["evalue"]


def test_browse_with_a_bad_condition_reports_statas_error(kc):
    run = execute(kc, "%browse if nosuchvar > 1")
    assert run.status == "error"
    assert run.reply["content"]["ename"] == "StataError"
    assert "r(111)" in run.reply["content"]["evalue"]
    # the temporary selection variable is gone either way
    assert "__stlive" not in execute(kc, "describe").text


def test_browse_if_leaves_the_dataset_unchanged(kc):
    execute(kc, "%browse if price > 5000")
    run = execute(kc, "describe")
    assert "__stlive" not in run.text
    assert "12" in execute(kc, "display c(k)").text


def test_browse_out_of_range_is_a_clear_error(kc):
    run = execute(kc, "%browse in 70/80")
    assert run.status == "error"
    assert "out of range" in run.reply["content"]["evalue"]


def test_describe_magic_lists_variables_types_formats_and_labels(kc):
    html, text = _table(execute(kc, "%describe"))
    assert "Observations: 74" in text and "Variables: 12" in text
    assert re.search(r"price\s+int\s+%8\.0gc\s+Price", text)
    assert "<td style=\"text-align:left\">Make and model</td>" in html


def test_browse_with_no_data_in_memory_says_so(kc):
    execute(kc, "clear")
    _html, text = _table(execute(kc, "%browse"))
    assert "no variables in memory" in text


def test_browse_with_a_condition_leaves_the_data_unchanged_for_the_next_use(kc):
    _table(execute(kc, "%browse make price if foreign == 1"))
    # Data that is not marked as changed can be replaced without `, clear`.
    run = execute(kc, "sysuse auto")
    assert run.status == "ok", run.reply["content"]
