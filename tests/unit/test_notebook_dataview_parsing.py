"""Parsing for the data views: varlists, if/in, options, ranges, value formats; no Stata needed."""

from __future__ import annotations

import pytest

from stata_kernel.dataview import (
    DataViewError,
    expand_varlist,
    parse_browse,
    parse_range,
    value_formatter,
)
from stata_kernel.graphs import might_make_graphs
from stata_kernel.magics import MagicError, parse_cell, stata_code_of

NAMES = ["make", "price", "mpg", "rep78", "headroom", "trunk", "weight"]


def test_browse_arguments_split_into_varlist_condition_range_and_options():
    req = parse_browse("make price if inlist(rep78, 3, 4) in 1/20, n(5) nolabel")
    assert (req.varlist, req.condition, req.obs_range, req.limit, req.value_labels) == (
        "make price", "inlist(rep78, 3, 4)", "1/20", 5, False)


def test_in_may_come_before_if():
    req = parse_browse("in 1/10 if price > 5000")
    assert (req.condition, req.obs_range) == ("price > 5000", "1/10")


def test_a_quoted_if_keyword_is_part_of_the_condition():
    assert parse_browse('if make == "if in"').condition == 'make == "if in"'


def test_unknown_browse_options_are_refused():
    with pytest.raises(DataViewError, match="not allowed"):
        parse_browse(", colour(red)")


@pytest.mark.parametrize(("varlist", "expected"), [
    ("m*", ["make", "mpg"]),
    ("pr", ["price"]),
    ("price-rep78", ["price", "mpg", "rep78"]),
    ("price - mpg", ["price", "mpg"]),
    ("?pg", ["mpg"]),
    ("price price", ["price"]),
])
def test_varlists_follow_statas_rules(varlist, expected):
    assert expand_varlist(varlist, NAMES) == expected


@pytest.mark.parametrize(("varlist", "message"), [("m", "ambiguous"), ("zzz", "not found"), ("weight-price", "before")])
def test_bad_varlists_are_clear_errors(varlist, message):
    with pytest.raises(DataViewError, match=message):
        expand_varlist(varlist, NAMES)


@pytest.mark.parametrize(("text", "expected"), [("1/5", (0, 5)), ("f/l", (0, 74)), ("-5/l", (69, 74)), ("7", (6, 7))])
def test_in_ranges_are_one_based_and_inclusive(text, expected):
    assert parse_range(text, 74) == expected


def test_a_range_beyond_the_data_is_refused():
    with pytest.raises(DataViewError, match="out of range"):
        parse_range("70/80", 74)


@pytest.mark.parametrize(("fmt", "value", "shown"), [
    ("%8.0gc", 4099.0, "4,099"), ("%6.1f", 2.5, "2.5"), ("%9.0g", 0.25, ".25"), ("%9.0g", None, "."),
    ("%td", 0.0, "01jan1960"), ("%-18s", "AMC", "AMC"), ("%10.2e", 1234.5, "1.23e+03"),
])
def test_values_are_shown_in_their_stata_format(fmt, value, shown):
    assert value_formatter(fmt)(value) == shown


@pytest.mark.parametrize("code", ["display 1", "summarize price\nregress price mpg", "local x 1\ndisplay `x'",
                                  "forvalues i = 1/3 {\n  display `i'\n}"])
def test_cells_that_cannot_draw_skip_graph_listing(code):
    assert might_make_graphs(code) is False


@pytest.mark.parametrize("code", ["scatter y x", "qui histogram mpg", "by foreign: twoway line y x",
                                  "do analysis.do", "gr export x.png", "myplot price mpg",
                                  "forvalues i = 1/3 {\n  scatter y x`i'\n}", "histo mpg", "tw scatter y x"])
def test_cells_that_may_draw_list_graphs(code):
    assert might_make_graphs(code) is True


def test_leading_magic_lines_are_split_from_the_stata_code():
    cell = parse_cell("%set echo off\n%head 3\ndisplay 1\n%not_a_magic_here")
    assert [(m.name, m.args) for m in cell.line_magics] == [("set", "echo off"), ("head", "3")]
    assert cell.cell_magic is None
    assert cell.code == "display 1\n%not_a_magic_here"


def test_a_cell_magic_takes_the_rest_of_the_cell():
    cell = parse_cell("%%noecho\ndisplay 1\ndisplay 2")
    assert cell.cell_magic is not None and cell.cell_magic.name == "noecho"
    assert cell.code == "display 1\ndisplay 2"


def test_a_lone_percent_is_a_magic_error():
    with pytest.raises(MagicError):
        parse_cell("% display 1")


def test_cells_without_magics_are_untouched():
    code = "  display 1\n"
    assert parse_cell(code).code == code


@pytest.mark.parametrize(("cell", "code"), [
    ("%quietly shell echo hi", "shell echo hi"),
    ("%set echo off\n\n%quietly !ls\ndisplay 1", "\n\n!ls\ndisplay 1"),
    ("%%noecho\nshell echo hi", "\nshell echo hi"),
    ("%head 3", ""),
    ("display 1\n%quietly x", "display 1\n%quietly x"),
])
def test_stata_code_of_a_cell_sees_through_magics_line_for_line(cell, code):
    assert stata_code_of(cell) == code
