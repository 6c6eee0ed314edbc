"""is_complete: what jupyter console sees when deciding between running a cell and a continuation prompt."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from stata_kernel.syntax import is_complete

OK, INC, BAD = "complete", "incomplete", "invalid"

CASES = [
    # (name, code, delimiter in force before, expected status)
    ("empty input", "", "cr", OK),
    ("single command", "display 1", "cr", OK),
    ("open brace", "forvalues i = 1/3 {", "cr", INC),
    ("closed loop", "forvalues i = 1/3 {\n  display `i'\n}", "cr", OK),
    ("nested open block", "foreach v of varlist * {\n  if 1 {\n    di 1\n  }", "cr", INC),
    ("brace inside string", 'display "{"', "cr", OK),
    ("close brace inside string", 'forvalues i=1/2 {\n di "}"', "cr", INC),
    ("brace inside compound string", 'di `"a {"\'', "cr", OK),
    ("brace inside line comment", "di 1 // {", "cr", OK),
    ("brace inside block comment", "di 1 /* { */", "cr", OK),
    ("brace inside star comment", "* {", "cr", OK),
    ("brace of a braced global", "di ${x}", "cr", OK),
    ("unmatched close brace", "}", "cr", BAD),
    ("unmatched close brace after block", "if 1 {\n}\n}", "cr", BAD),
    ("trailing continuation", "regress y x ///", "cr", INC),
    ("continuation with comment after it", "regress y x /// more to come", "cr", INC),
    ("continued line finished", "regress y x ///\n  z", "cr", OK),
    ("continuation inside string is text", 'di "a ///', "cr", BAD),
    ("continuation glued to a word", "di 1///", "cr", OK),
    ("continuation after line comment is ignored", "di 1 // note ///", "cr", OK),
    ("open block comment", "di 1 /* start", "cr", INC),
    ("closed block comment across lines", "di 1 /*\n*/ + 2", "cr", OK),
    ("nested block comment still open", "/* outer /* inner */ still comment", "cr", INC),
    ("nested block comment closed", "/* outer /* inner */ done */ di 1", "cr", OK),
    ("block comment opener inside string", 'di "/*"', "cr", OK),
    ("block comment opener after // comment", "di 1 // /* not a comment", "cr", OK),
    ("block comment opener inside star comment", "* note /* opens", "cr", INC),
    ("star comment continued", "* note ///", "cr", INC),
    ("url inside string", 'di "http://example.com/{"', "cr", OK),
    ("url unquoted", "use http://www.stata-press.com/data/r16/auto", "cr", OK),
    ("double slash glued is not comment", "di 4//2 {", "cr", INC),
    ("star not at start is multiplication", "di 2 * 3 {", "cr", INC),
    ("unterminated string", 'display "hello', "cr", BAD),
    ("unterminated compound string", 'display `"hello', "cr", BAD),
    ("apostrophe in string is text", 'di "don\'t"', "cr", OK),
    ("nested local macro", "di `=`i'+1'", "cr", OK),
    ("literal backtick without close", 'di "a`b"', "cr", OK),
    ("semicolon mode without terminator", "display 1", ";", INC),
    ("semicolon mode terminated", "display 1;", ";", OK),
    ("semicolon mode multi-line statement", "regress y\n  x;", ";", OK),
    ("semicolon mode only trailing blanks", "di 1;\n  \n", ";", OK),
    ("semicolon mode semicolon inside string", 'di ";"', ";", INC),
    ("semicolon mode semicolon inside comment", "di 1 // ;", ";", INC),
    ("semicolon mode star comment needs semicolon", "* a comment", ";", INC),
    ("semicolon mode star comment ended", "* a comment;", ";", OK),
    ("switch to semicolon inside cell", "#delimit ;\ndi 1", "cr", INC),
    ("switch to semicolon and terminate", "#delimit ;\ndi 1;", "cr", OK),
    ("abbreviated delimit switch", "#d ;\ndi 1", "cr", INC),
    ("switch back to cr", "#delimit cr\ndi 1", ";", OK),
    ("loop under semicolon mode open", "forvalues i=1/3 {;\n display `i';", ";", INC),
    ("loop under semicolon mode closed", "forvalues i=1/3 {;\n display `i';\n};", ";", OK),
    ("braces in strings under semicolon mode", 'di "{";', ";", OK),
    ("program without end", "program define hello\n  display 1", "cr", INC),
    ("program with end", "program define hello\n  display 1\nend", "cr", OK),
    ("program drop is not a definition", "capture program drop hello", "cr", OK),
    ("mata block open", "mata:\nx = 1", "cr", INC),
    ("mata one-liner", "mata: x = 1", "cr", OK),
    ("python block open", "python:\nprint('hi')", "cr", INC),
    ("python quotes are not Stata strings", 'python:\nprint("it\'s")\nx = "a\nend', "cr", OK),
    ("word program inside string", 'display "program"', "cr", OK),
]


@pytest.mark.parametrize(("code", "delimiter", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_is_complete_status(code: str, delimiter: str, expected: str) -> None:
    assert is_complete(code, delimiter)[0] == expected


def test_incomplete_block_indents_per_open_brace() -> None:
    assert is_complete("if 1 {\n  if 2 {") == ("incomplete", "        ")


def test_incomplete_without_braces_has_no_indent() -> None:
    assert is_complete("di 1 ///") == ("incomplete", "")


def test_complete_has_empty_indent() -> None:
    assert is_complete("di 1") == ("complete", "")


def test_unknown_delimiter_is_rejected() -> None:
    with pytest.raises(ValueError):
        is_complete("di 1", "tab")


def _best_time(fn: Callable[[], object], runs: int = 3) -> float:
    """Fastest of a few runs: a timing bound should measure the code, not other load on the machine."""
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _megabyte_of_code() -> str:
    block = (
        '* a comment line with { and " in it\n'
        "forvalues i = 1/10 {\n"
        '    display "value: `i\' {" // trailing comment }\n'
        "    regress price mpg weight ///\n"
        "        foreign, robust /* block { comment */\n"
        "    local x`i' = `=`i'+1'\n"
        '    di `"compound "quoted" {"\' ${g}\n'
        "}\n"
    )
    return block * (1_000_000 // len(block) + 1)


def test_is_complete_on_a_megabyte_is_fast() -> None:
    code = _megabyte_of_code()
    assert len(code) >= 1_000_000
    assert is_complete(code) == ("complete", "")
    elapsed = _best_time(lambda: is_complete(code))
    assert elapsed < 0.5, f"is_complete took {elapsed:.3f}s on 1 MB"


@pytest.mark.parametrize(
    "line",
    ['di "a" ', "`a ", "{", '`"x"\' ', "x /// y "],
    ids=["strings", "backticks", "braces", "compound strings", "glued slashes"],
)
def test_is_complete_on_one_megabyte_line_stays_linear(line: str) -> None:
    code = line * (1_000_000 // len(line))
    assert _best_time(lambda: is_complete(code), runs=1) < 3.0  # quadratic rescans would take minutes


def test_is_complete_on_a_megabyte_under_semicolon_is_fast() -> None:
    code = "#delimit ;\n" + _megabyte_of_code().replace("\n", ";\n") + "di 1;"
    assert _best_time(lambda: is_complete(code)) < 0.5
