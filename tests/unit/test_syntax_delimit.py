"""translate / translate_delimit: cells under #delimit ; become newline-delimited code with a line map."""

from __future__ import annotations

import pytest

from stata_kernel.syntax import is_complete, translate, translate_delimit


def test_cr_cell_without_directives_is_passed_through_unchanged() -> None:
    code = 'di 1 // c\nregress y x ///\n  z\n/* c\n*/ di "{"'
    assert translate_delimit(code, "cr") == (code, "cr")


def test_cr_cell_line_map_is_identity() -> None:
    assert translate("a\nb\nc", "cr").line_map == (1, 2, 3)


def test_semicolon_statements_become_one_line_each() -> None:
    code = "regress price\n   mpg weight;\ndisplay 1; display 2;"
    assert translate_delimit(code, ";") == ("regress price    mpg weight\ndisplay 1\ndisplay 2", ";")


def test_semicolon_line_map_points_at_statement_start() -> None:
    t = translate("di 1;\n\nregress y\n  x;\ndi 2; di 3;", ";")
    assert t.line_map == (1, 3, 5, 5)


def test_original_line_maps_translated_line_back() -> None:
    t = translate("#delimit ;\nsysuse auto;\nregress\n price mpg;\n#delimit cr\nsummarize", "cr")
    assert t.code == "sysuse auto\nregress  price mpg\nsummarize"
    assert [t.original_line(k) for k in (1, 2, 3)] == [2, 3, 6]


def test_delimit_lines_are_consumed_and_mode_tracked() -> None:
    code, after = translate_delimit("#delimit ;\ndi 1;", "cr")
    assert code == "di 1"
    assert after == ";"


def test_delimiter_switches_back_midway() -> None:
    assert translate_delimit("di 1;\n#delimit cr\ndi 2\ndi 3", ";") == ("di 1\ndi 2\ndi 3", "cr")


def test_abbreviated_delimit_directive() -> None:
    assert translate_delimit("#d ;\ndi\n 1;\n#d cr", "cr") == ("di  1", "cr")


def test_delimiter_persists_for_next_cell() -> None:
    _, after = translate_delimit("#delimit ;\ndi 1;", "cr")
    assert translate_delimit("di\n2;", after) == ("di 2", ";")


def test_comments_are_dropped_under_semicolon() -> None:
    code = "* star comment;\nregress y // why\n  x /* block */ z; // tail\n"
    assert translate_delimit(code, ";")[0] == "regress y    x   z"


def test_semicolon_inside_string_does_not_split() -> None:
    assert translate_delimit('di "a;b";', ";")[0] == 'di "a;b"'


def test_loop_written_across_lines_under_semicolon() -> None:
    code = "forvalues i=1/3 {;\n  display `i';\n};"
    assert translate_delimit(code, ";")[0] == "forvalues i=1/3 {\ndisplay `i'\n}"


def test_loop_written_on_one_line_under_semicolon() -> None:
    code = "forvalues i=1/3 { ; display `i' ; } ;"
    assert translate_delimit(code, ";")[0] == "forvalues i=1/3 {\ndisplay `i'\n}"


def test_brace_followed_by_text_is_kept_as_stata_would_read_it() -> None:
    code = "forvalues i=1/3 {\n display `i';\n};"
    assert translate_delimit(code, ";")[0] == "forvalues i=1/3 {  display `i'\n}"


def test_unterminated_last_statement_is_sent_and_reported() -> None:
    t = translate("di 1;\ndi 2", ";")
    assert t.code == "di 1\ndi 2"
    assert t.unterminated == "di 2"


def test_terminated_cell_reports_nothing_unterminated() -> None:
    assert translate("di 1;", ";").unterminated is None


def test_cr_part_keeps_its_comments_and_continuations() -> None:
    code = "#delimit cr\nregress y x ///\n  z // note\n#delimit ;\ndi 1;"
    t = translate(code, ";")
    assert t.code == "regress y x ///\n  z // note\ndi 1"
    assert t.line_map == (2, 3, 5)


def test_directive_inside_block_comment_is_not_applied() -> None:
    assert translate_delimit("/*\n#delimit ;\n*/\ndi 1", "cr") == ("/*\n#delimit ;\n*/\ndi 1", "cr")


def test_directive_after_continuation_is_not_applied() -> None:
    assert translate_delimit("di 1 ///\n#delimit ;", "cr")[1] == "cr"


@pytest.mark.parametrize(
    "cell",
    [
        "di 1;\ndi 2;",
        "regress y\n x;\n* c;\nforvalues i=1/2 {;\n di `i';\n};",
        'di "a // b";  di `"x"\';',
    ],
)
def test_translated_semicolon_cell_is_complete_under_cr(cell: str) -> None:
    code, after = translate_delimit(cell, ";")
    assert after == ";"
    assert is_complete(code, "cr") == ("complete", "")
