"""split_commands and strip_prefixes: logical commands with original line numbers and block nesting."""

from __future__ import annotations

import pytest

from stata_kernel.syntax import split_commands, strip_prefixes


def test_one_command_per_line() -> None:
    cmds = split_commands("sysuse auto\nsummarize price\n")
    assert [(c.text, c.line, c.end_line) for c in cmds] == [("sysuse auto", 1, 1), ("summarize price", 2, 2)]


def test_continuation_is_joined_and_spans_lines() -> None:
    (cmd,) = split_commands("regress price ///\n   mpg ///\n   weight")
    assert cmd.text.split() == ["regress", "price", "mpg", "weight"]
    assert (cmd.line, cmd.end_line) == (1, 3)


def test_comments_are_removed() -> None:
    cmds = split_commands("* header\n// note\ndi 1 // trailing\n/* block\n*/ di 2")
    assert [(c.text, c.line) for c in cmds] == [("di 1", 3), ("di 2", 5)]


def test_block_comment_joining_lines_starts_at_first_text() -> None:
    (cmd,) = split_commands("\n\nregress y /*\n*/ x")
    assert cmd.text.split() == ["regress", "y", "x"]
    assert (cmd.line, cmd.end_line) == (3, 4)


def test_blank_lines_are_not_commands() -> None:
    assert [c.line for c in split_commands("\n\n  \ndi 1\n\n")] == [4]


def test_semicolon_mode_statement_lines() -> None:
    cmds = split_commands("di 1; di\n 2;\n\nregress y\n x;", ";")
    assert [(c.text, c.line, c.end_line) for c in cmds] == [
        ("di 1", 1, 1),
        ("di  2", 1, 2),
        ("regress y  x", 4, 5),
    ]


def test_delimit_switch_inside_code() -> None:
    cmds = split_commands("di 1\n#delimit ;\ndi\n2;\n#delimit cr\ndi 3")
    assert [(c.text, c.line, c.delimiter) for c in cmds] == [
        ("di 1", 1, "cr"),
        ("di 2", 3, ";"),
        ("di 3", 6, "cr"),
    ]


def test_loop_body_has_depth_and_parent() -> None:
    cmds = split_commands("forvalues i=1/2 {\n  di `i'\n}\ndi 3")
    assert [(c.text, c.depth, c.parent) for c in cmds] == [
        ("forvalues i=1/2 {", 0, None),
        ("di `i'", 1, 0),
        ("}", 0, None),
        ("di 3", 0, None),
    ]


def test_nested_blocks_and_else() -> None:
    code = "foreach v in a b {\n if 1 {\n  di 1\n }\n else {\n  di 2\n }\n}"
    cmds = split_commands(code)
    by_text = {c.text: c for c in cmds}
    assert by_text["di 1"].parent == 1 and by_text["di 1"].depth == 2
    assert by_text["di 2"].parent == 4 and by_text["else {"].parent == 0


def test_braces_in_strings_do_not_nest() -> None:
    cmds = split_commands('di "{"\ndi 2')
    assert [c.depth for c in cmds] == [0, 0]


@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        ("quietly regress y x", (["quietly"], "regress y x")),
        ("qui regress y x", (["quietly"], "regress y x")),
        ("quietly: regress y x", (["quietly"], "regress y x")),
        ("cap noi di 1", (["capture", "noisily"], "di 1")),
        ("capt n di 1", (["capture", "noisily"], "di 1")),
        ("capture: noisily: di 1", (["capture", "noisily"], "di 1")),
        ("noi di 1", (["noisily"], "di 1")),
        ("quietly {", (["quietly"], "{")),
        ("by foreign: summarize price", (["by"], "summarize price")),
        ("bysort foreign (mpg): gen n = _n", (["bysort"], "gen n = _n")),
        ("bys foreign, sort: gen n = _n", (["bysort"], "gen n = _n")),
        ("cap by foreign: sum", (["capture", "by"], "sum")),
        ("version 17: display 1", (["version"], "display 1")),
        ("frame other: list", (["frame"], "list")),
        ("display 1", ([], "display 1")),
        ("bysort foreign", ([], "bysort foreign")),
        ('by x: di "a:b"', (["by"], 'di "a:b"')),
    ],
)
def test_strip_prefixes(cmd: str, expected: tuple[list[str], str]) -> None:
    assert strip_prefixes(cmd) == expected
