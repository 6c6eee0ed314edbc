"""completion_context, word_at and command_at: what the cursor is on, from the text alone."""

from __future__ import annotations

import pytest

from stata_kernel.syntax import command_at, completion_context, word_at

CONTEXTS = [
    # (name, code with | marking the cursor, kind, prefix)
    ("first word", "su|", "command", "su"),
    ("first word on a later line", "di 1\nreg|", "command", "reg"),
    ("empty statement", "di 1\n|", "command", ""),
    ("after quietly prefix", "qui reg|", "command", "reg"),
    ("after by prefix", "by foreign: su|", "command", "su"),
    ("inside loop body", "forvalues i=1/3 {\n    di|", "command", "di"),
    ("argument word", "summarize pr|", "variable", "pr"),
    ("second argument", "regress price mp|", "variable", "mp"),
    ("argument after blank", "summarize |", "variable", ""),
    ("local macro", "di `myl|", "local", "myl"),
    ("local macro inside string", 'di "value `i|', "local", "i"),
    ("nested local macro", "di `=`ab|", "local", "ab"),
    ("global macro", "di $gl|", "global", "gl"),
    ("braced global macro", "di ${gl|", "global", "gl"),
    ("quoted path after use", 'use "data/au|', "path", "data/au"),
    ("compound-quoted path after save", 'save `"my fi|', "path", "my fi"),
    ("unquoted path after use", "use data/au|", "path", "data/au"),
    ("empty path after do", "do |", "path", ""),
    ("path after cd", "cd ~/pro|", "path", "~/pro"),
    ("path after import delimited", 'import delimited "raw/x|', "path", "raw/x"),
    ("path after graph export", "graph export fig|", "path", "fig"),
    ("path after using", "merge 1:1 id using da|", "path", "da"),
    ("path after insheet using", 'insheet using "a|', "path", "a"),
    ("plain string", 'di "hello wor|', "none", ""),
    ("line comment", "di 1 // su|", "none", ""),
    ("star comment", "* note su|", "none", ""),
    ("block comment", "/* su|", "none", ""),
    ("option after comma", "use x, cle|", "variable", "cle"),
]


@pytest.mark.parametrize(("marked", "kind", "prefix"), [c[1:] for c in CONTEXTS], ids=[c[0] for c in CONTEXTS])
def test_completion_context(marked: str, kind: str, prefix: str) -> None:
    pos = marked.index("|")
    code = marked.replace("|", "")
    ctx = completion_context(code, pos)
    assert (ctx.kind, ctx.prefix) == (kind, prefix)
    assert ctx.start == pos - len(prefix)


def test_completion_ignores_text_after_cursor() -> None:
    assert completion_context("su pri\ndi 1", 6).prefix == "pri"


def test_completion_context_under_semicolon_delimiter_continues_across_lines() -> None:
    assert completion_context("di 1\n  + 2\n su", 15, ";").kind == "variable"


def test_completion_context_after_semicolon_is_a_command() -> None:
    ctx = completion_context("di 1; su", 8, ";")
    assert (ctx.kind, ctx.prefix) == ("command", "su")


def test_completion_context_names_the_command() -> None:
    assert completion_context("summarize pr", 12).command == "summarize"


@pytest.mark.parametrize(
    ("marked", "word"),
    [("summ|arize price", "summarize"), ("summarize price|", "price"), ("di `x|'", "x"), ("di 1 + |", "")],
)
def test_word_at(marked: str, word: str) -> None:
    assert word_at(marked.replace("|", ""), marked.index("|")) == word


@pytest.mark.parametrize(
    ("marked", "command"),
    [
        ("qui su|m price", "summarize"),
        ("cap noi reg y x|", "regress"),
        ("di 1\nta|b foreign", "tabulate"),
        ("!l|s", "shell"),
        ("esttab us|ing x", "esttab"),
        ("forvalues i=1/2 {\n  di `i'|\n}", "display"),
        ("regress y ///\n  x|", "regress"),
        ("* comment|", None),
        ("di 1\n\n|", None),
    ],
)
def test_command_at(marked: str, command: str | None) -> None:
    assert command_at(marked.replace("|", ""), marked.index("|")) == command
