"""Bad input gets a clear answer and the kernel keeps serving."""

from __future__ import annotations

import pytest

from tests.harness import execute


def _alive(kc) -> None:
    run = execute(kc, "display 40+2")
    assert run.status == "ok" and run.text.strip() == "42"


@pytest.mark.parametrize("code", ["", "   ", "\n\n\t\n"])
def test_empty_or_blank_code_is_a_quiet_success(kernel, code):
    run = execute(kernel, code)
    assert run.status == "ok"
    assert run.streams == []
    _alive(kernel)


def test_nul_bytes_are_refused_with_a_clear_error(kernel):
    run = execute(kernel, 'display "a\x00b"')
    assert run.status == "error"
    assert run.reply["content"]["ename"] == "InvalidCode"
    assert "NUL" in run.reply["content"]["evalue"]
    _alive(kernel)


def test_ten_megabytes_of_code_are_refused_with_a_clear_error(kernel):
    code = ('display "x"\n' * 900_000)[: 10 * 1024 * 1024]
    run = execute(kernel, code, timeout=120)
    assert run.status == "error"
    assert run.reply["content"]["ename"] == "InvalidCode"
    assert "limit" in run.reply["content"]["evalue"]
    _alive(kernel)


def test_unbalanced_braces_give_a_stata_error_not_a_crash(kernel):
    run = execute(kernel, "}")
    assert run.status == "error"
    _alive(kernel)
