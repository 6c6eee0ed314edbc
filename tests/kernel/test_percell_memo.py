"""Per-cell text checks are remembered for short cells; the same text must still follow the current #delimit."""

from __future__ import annotations

import pytest

from tests.harness import execute


@pytest.fixture
def kc(kernel):
    yield kernel
    execute(kernel, "#delimit cr")


def test_the_same_cell_text_runs_as_each_delimiter_mode_says(kc):
    cell = "display 5\n+ 6;"
    under_cr = execute(kc, cell)  # two commands under cr: "+ 6;" is not a command
    assert under_cr.status == "error"
    execute(kc, "#delimit ;")
    under_semicolon = execute(kc, cell)  # the same text, now one statement
    assert under_semicolon.status == "ok", under_semicolon.reply["content"]
    assert "11" in under_semicolon.text
    execute(kc, "#delimit cr")
    assert execute(kc, cell).status == "error"
