"""The scanner underneath: comment hierarchy as Stata applies it, and robustness on arbitrary input."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from mcp_bridge.policy_rules import check_policy
from stata_kernel.syntax import (
    command_at,
    completion_context,
    is_complete,
    scan,
    split_commands,
    translate,
    word_at,
)

# Cases from Statalist's "understanding Stata's comment hierarchy": which lines still run.
HIERARCHY = [
    ("block comment opened inside star comment", '* /* a\ndisp "x"\n*/\ndi 1', ["di 1"]),
    ("line comment inside star comment hides block opener", '* // /* a\ndisp "x"', ['disp "x"']),
    ("line comment hides block opener", '// /* a\ndisp "x"', ['disp "x"']),
    ("line comment needs a blank before it", '*// /* a\ndisp "x"\n*/\ndi 1', ["di 1"]),
    ("continuation extends star comment", '* ///\ndisp "x"\ndi 1', ["di 1"]),
    ("continuation ignored after line comment", '// /// a\ndisp "x"', ['disp "x"']),
    ("nested block comments", '/*\n/* a */\ndisp "x"\n*/* a\ndisp "x"\n*/\ndi 1', ["di 1"]),
    ("line comment ends continued star comment", "* a ///\n// a ///\ndi 1", ["di 1"]),
    ("line comment ends continued command", "di 1 ///\n// a ///\ndi 2", ["di 1", "di 2"]),
]


@pytest.mark.parametrize(("code", "runs"), [h[1:] for h in HIERARCHY], ids=[h[0] for h in HIERARCHY])
def test_comment_hierarchy(code: str, runs: list[str]) -> None:
    assert [c.text for c in split_commands(code)] == runs


def test_block_comment_becomes_a_blank() -> None:
    assert [s.text for s in scan("di 1/**/2").statements] == ["di 1 2"]


def test_block_comment_can_be_removed_outright() -> None:
    assert [s.text for s in scan("di 1/**/2", comment_replacement="").statements] == ["di 12"]


def test_statement_offsets_cover_its_text() -> None:
    code = "  regress y x // c\n"
    (s,) = scan(code).statements
    assert code[s.start : s.end] == "regress y x"


def test_unterminated_string_is_reported_with_line() -> None:
    assert scan('di 1\ndi "a\ndi 2').errors == [(2, "unterminated string")]


def test_unmatched_brace_is_reported_with_line() -> None:
    assert scan("di 1\n}\n").errors == [(2, "unmatched '}'")]


def test_delimit_directive_accepts_trailing_comment() -> None:
    assert scan("#delimit ; // switch\ndi 1").delimiter == ";"


def test_bare_delimit_resets_to_cr() -> None:
    assert scan("#delimit\n", ";").delimiter == "cr"


def test_delimit_with_other_text_is_a_command() -> None:
    result = scan("#delimit foo")
    assert result.delimiter == "cr"
    assert [s.kind for s in result.statements] == ["command"]


def test_crlf_line_endings() -> None:
    cmds = split_commands("di 1\r\nregress y ///\r\n  x\r\n")
    assert [(c.text.split(), c.line) for c in cmds] == [(["di", "1"], 1), (["regress", "y", "x"], 2)]


_ALPHABET = [
    '"', "`", "'", "/", "*", "{", "}", "\n", ";", "$", "#delimit ;", "#d cr", " ", "a", "//", "///", ":", ",",
    "sh", "save ", "using ", "qui ", "local c ", "`c'", "if ", "mata", "end", "program ", "(", ")", "!", "..",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_arbitrary_input_never_breaks_the_scanner(seed: int) -> None:
    rng = random.Random(seed)
    code = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 200)))
    for delimiter in ("cr", ";"):
        result = scan(code, delimiter)
        assert all(0 <= s.start < s.end <= len(code) and s.line <= s.end_line for s in result.statements)
        assert is_complete(code, delimiter)[0] in ("complete", "incomplete", "invalid")
        t = translate(code, delimiter)
        assert len(t.line_map) == (len(t.code.split("\n")) if t.line_map else 0)
        assert t.line_map or t.code == ""
        assert all(1 <= ln <= code.count("\n") + 1 for ln in t.line_map)


@pytest.mark.parametrize("seed", range(40))
def test_arbitrary_input_never_breaks_the_other_entry_points(seed: int, tmp_path: Path) -> None:
    rng = random.Random(1000 + seed)
    code = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 120)))
    for delimiter in ("cr", ";"):
        split_commands(code, delimiter)
        check_policy(code, delimiter=delimiter)
        check_policy(code, delimiter=delimiter, allowed_dirs=[str(tmp_path)], cwd=str(tmp_path))
        for pos in {0, len(code), rng.randint(0, len(code))}:
            ctx = completion_context(code, pos, delimiter)
            assert 0 <= ctx.start <= pos
            assert code[ctx.start : pos] == ctx.prefix or ctx.kind == "none"
            command_at(code, pos, delimiter)
            word_at(code, pos)
