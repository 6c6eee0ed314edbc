"""The echo filter and prompt trimmer: exact output whatever the piece boundaries, and no needless delay."""

from __future__ import annotations

import random

import pytest

from stata_kernel.echo import EchoFilter, PromptTrimmer

ECHOED = (
    '. display 1\n1\n\n. forvalues i = 1/2 {\n  2.   display "item `i\'"\n  3. }\nitem 1\nitem 2\n\n'
    ". display 1 + ///\n>  2\n3\n\n. list make in 1/2\n\n     +-------------+\n  1. | AMC Concord |\n"
    "  2. | AMC Pacer   |\n     +-------------+\n\n. program define hello\n  1.   display \"hi\"\n  2. end\n\n. \n"
)
EXPECTED = (
    "1\nitem 1\nitem 2\n3\n\n     +-------------+\n  1. | AMC Concord |\n  2. | AMC Pacer   |\n"
    "     +-------------+\n"
)


def _feed(filter_cls, text: str, seed: int) -> str:
    out: list[str] = []
    f = filter_cls(out.append)
    rnd = random.Random(seed)
    i = 0
    while i < len(text):
        k = rnd.randint(1, 9)
        f.write(text[i : i + k])
        i += k
    f.finish()
    return "".join(out)


@pytest.mark.parametrize("seed", range(40))
def test_echo_filter_output_does_not_depend_on_piece_boundaries(seed):
    assert _feed(EchoFilter, ECHOED, seed) == EXPECTED


def test_echo_filter_passes_an_output_line_on_as_soon_as_it_is_recognised():
    out: list[str] = []
    f = EchoFilter(out.append)
    f.write(". sleep 100\n. display 1\n")
    f.write("tic")
    assert "".join(out) == "tic"  # not held until the end of the line


def test_echo_filter_holds_only_an_ambiguous_dot_at_a_line_start():
    out: list[str] = []
    f = EchoFilter(out.append)
    f.write(".")
    assert out == []
    f.write(".. progress")
    assert "".join(out) == "... progress"


def test_echo_filter_keeps_a_trailing_undecided_start_at_the_end():
    out: list[str] = []
    f = EchoFilter(out.append)
    f.write("done\n.")
    f.finish()
    assert "".join(out) == "done\n."


@pytest.mark.parametrize("seed", range(20))
def test_prompt_trimmer_drops_only_the_final_prompt(seed):
    text = ". display 1\n1\n\n. display 2\n2\n\n. \n"
    assert _feed(PromptTrimmer, text, seed) == ". display 1\n1\n\n. display 2\n2\n\n"


def test_prompt_trimmer_releases_a_held_dot_line_when_more_output_follows():
    out: list[str] = []
    f = PromptTrimmer(out.append)
    f.write("a\n. \n")
    assert "".join(out) == "a\n"
    f.write("b\n")
    f.finish()
    assert "".join(out) == "a\n. \nb\n"
